// Copyright 2026 The slipway Authors
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

package encryption

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"slipway.dev/slipway/state"
)

// formatVersion is the version of the sealed format, after
// state.SealedPrefix.
const formatVersion = "1"

// saltSize is the length of the HKDF salt in every header.
const saltSize = 32

// ErrWrongKey means the key material of every method that could have
// sealed a document fails to open it.
var ErrWrongKey = errors.New("wrong key")

// ErrNotEncrypted means plain bytes were given to a Sealer that requires
// encrypted ones.
var ErrNotEncrypted = errors.New("not encrypted")

// A KeyProvider gives key material: the same material for the same
// parameters, so that a document sealed in one run opens in the next.
// Its methods may be called from several goroutines.
type KeyProvider interface {
	// Addr is how the configuration names it: key_provider.TYPE.NAME.
	Addr() string
	// NewKey returns material to seal with and the parameters, stored in
	// the header of what is sealed, from which Key makes it again. The
	// parameters must hold nothing secret.
	NewKey() (material []byte, params json.RawMessage, err error)
	// Key returns the material params describe.
	Key(params json.RawMessage) ([]byte, error)
}

// Method is a method block: how a target seals.
type Method struct {
	// Addr is how the configuration names it: method.TYPE.NAME.
	Addr string
	// Type is "aes_gcm" or "unencrypted".
	Type string
	// Keys gives aes_gcm its key material; nil for unencrypted.
	Keys KeyProvider
}

func (m *Method) encrypts() bool { return m.Type != "unencrypted" }

// header is the JSON of a sealed document's first line.
type header struct {
	Method      string          `json:"method"`
	KeyProvider string          `json:"key_provider"`
	Key         json.RawMessage `json:"key"`
	Salt        []byte          `json:"salt"`
}

// Sealer seals the documents of one target (state or plan). It
// implements state.Sealer.
type Sealer struct {
	target      string // "state" or "plan"
	primary     *Method
	fallbacks   []*Method
	acceptPlain bool

	mu   sync.Mutex
	seal *sealing // the primary's key in this process, made by the first Seal
}

var _ state.Sealer = (*Sealer)(nil)

// sealing is what Seal needs for each document: the header line and the
// AEAD keyed by what it describes.
type sealing struct {
	head []byte
	aead cipher.AEAD
}

// NewSealer returns the Sealer of target ("state" or "plan") that seals
// with primary and opens with it or, failing that, with each of
// fallbacks in order.
func NewSealer(target string, primary *Method, fallbacks ...*Method) *Sealer {
	return &Sealer{target: target, primary: primary, fallbacks: fallbacks}
}

// AcceptingPlain returns a Sealer that seals as s does and opens what s
// opens and plain documents too: `slipway state encrypt` reads state
// stored before encryption with it.
func (s *Sealer) AcceptingPlain() *Sealer {
	return &Sealer{target: s.target, primary: s.primary, fallbacks: s.fallbacks, acceptPlain: true}
}

// Decrypting returns a Sealer that stores documents plain and opens what
// s opens, and plain documents: `slipway state decrypt` uses it.
func (s *Sealer) Decrypting() *Sealer {
	plain := &Method{Addr: "method.unencrypted.decrypt", Type: "unencrypted"}
	return &Sealer{target: s.target, primary: plain, fallbacks: append([]*Method{s.primary}, s.fallbacks...), acceptPlain: true}
}

// Encrypts reports whether Seal encrypts: false when the target's method
// is unencrypted.
func (s *Sealer) Encrypts() bool { return s.primary.encrypts() }

// Method is the method Seal uses.
func (s *Sealer) Method() *Method { return s.primary }

// what names the target in messages.
func (s *Sealer) what() string {
	if s.target == "plan" {
		return "saved plan"
	}
	return s.target
}

// Seal returns plain sealed by the target's method: encrypted, or as it
// is when the method is unencrypted.
func (s *Sealer) Seal(plain []byte) ([]byte, error) {
	if !s.primary.encrypts() {
		return bytes.Clone(plain), nil
	}
	sl, err := s.sealing()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, sl.aead.NonceSize())
	rand.Read(nonce)
	out := make([]byte, 0, len(sl.head)+len(nonce)+len(plain)+sl.aead.Overhead())
	out = append(out, sl.head...)
	out = append(out, nonce...)
	return sl.aead.Seal(out, nonce, plain, sl.head), nil
}

// sealing makes, once, the key this process seals with.
func (s *Sealer) sealing() (*sealing, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seal != nil {
		return s.seal, nil
	}
	m := s.primary
	material, params, err := m.Keys.NewKey()
	if err != nil {
		return nil, fmt.Errorf("encrypting the %s: %s: %w", s.what(), m.Keys.Addr(), err)
	}
	h := header{Method: m.Addr, KeyProvider: m.Keys.Addr(), Key: params, Salt: make([]byte, saltSize)}
	rand.Read(h.Salt)
	hj, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encrypting the %s: %w", s.what(), err)
	}
	head := append([]byte(state.SealedPrefix+formatVersion+" "), hj...)
	head = append(head, '\n')
	aead, err := newAEAD(material, h.Salt, m.Type)
	if err != nil {
		return nil, fmt.Errorf("encrypting the %s: %w", s.what(), err)
	}
	s.seal = &sealing{head: head, aead: aead}
	return s.seal, nil
}

// newAEAD is AES-256-GCM keyed by HKDF-SHA-256 of material and salt.
func newAEAD(material, salt []byte, method string) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, material, salt, state.SealedPrefix+formatVersion+" "+method, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Open returns the plain bytes of what Seal made, trying the target's
// method and then each fallback. Plain input passes only when the target
// lists the unencrypted method or the Sealer accepts it for a migration.
func (s *Sealer) Open(stored []byte) ([]byte, error) {
	if !state.IsSealed(stored) {
		if s.acceptsPlain() {
			return stored, nil
		}
		return nil, s.notEncrypted()
	}
	head, body, h, err := parse(stored)
	if err != nil {
		return nil, fmt.Errorf("the %s cannot be decrypted: %w", s.what(), err)
	}
	methodType := addrType(h.Method)
	var candidates, others []*Method
	for _, m := range s.methods() {
		if m.Type != methodType || m.Keys == nil || addrType(m.Keys.Addr()) != addrType(h.KeyProvider) {
			continue
		}
		// The method that sealed it, by name, is tried first: it
		// is the likely one, and each try may derive a key.
		if m.Addr == h.Method && m.Keys.Addr() == h.KeyProvider {
			candidates = append(candidates, m)
		} else {
			others = append(others, m)
		}
	}
	candidates = append(candidates, others...)
	if len(candidates) == 0 {
		return nil, fmt.Errorf("the %s is encrypted by %s with %s, and the encryption block's %s target has no method of that kind (it has %s); "+
			"add the method and key provider it was encrypted with as a fallback", s.what(), h.Method, h.KeyProvider, s.target, s.methodList())
	}
	var errs []error
	for _, m := range candidates {
		material, err := m.Keys.Key(h.Key)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.Keys.Addr(), err))
			continue
		}
		aead, err := newAEAD(material, h.Salt, m.Type)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(body) < aead.NonceSize() {
			return nil, fmt.Errorf("the %s cannot be decrypted: it is cut short", s.what())
		}
		plain, err := aead.Open(nil, body[:aead.NonceSize()], body[aead.NonceSize():], head)
		if err == nil {
			return plain, nil
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("the %s is encrypted by %s with %s, whose key could not be had: %w", s.what(), h.Method, h.KeyProvider, errors.Join(errs...))
	}
	var tried []string
	for _, m := range candidates {
		if !slices.Contains(tried, m.Keys.Addr()) {
			tried = append(tried, m.Keys.Addr())
		}
	}
	return nil, &KeyError{What: s.what(), Sealed: h.Method + " with " + h.KeyProvider, Tried: strings.Join(tried, " nor ")}
}

// KeyError is Open's refusal of a document no configured key opens. It
// wraps ErrWrongKey.
type KeyError struct {
	What   string // "state" or "saved plan"
	Sealed string // the method and key provider named in the document
	Tried  string // the key providers tried
}

func (e *KeyError) Error() string {
	return fmt.Sprintf("the %s is encrypted with a key that %s does not give; check the passphrase / key provider "+
		"(it was encrypted by %s; if that key has changed since, add the old one as a fallback)", e.What, e.Tried, e.Sealed)
}

func (e *KeyError) Unwrap() error { return ErrWrongKey }

func (s *Sealer) methods() []*Method { return append([]*Method{s.primary}, s.fallbacks...) }

func (s *Sealer) acceptsPlain() bool {
	if s.acceptPlain {
		return true
	}
	for _, m := range s.methods() {
		if !m.encrypts() {
			return true
		}
	}
	return false
}

// methodList names the methods Open tries, for messages.
func (s *Sealer) methodList() string {
	var names []string
	for _, m := range s.methods() {
		n := m.Addr
		if m.Keys != nil {
			n += " with " + m.Keys.Addr()
		}
		names = append(names, n)
	}
	return strings.Join(names, ", then ")
}

func (s *Sealer) notEncrypted() error {
	if s.target == "plan" {
		return fmt.Errorf("the saved plan is %w, but the encryption block's plan target requires it to be: make the plan again with slipway plan -out", ErrNotEncrypted)
	}
	return fmt.Errorf("the %s is %w, but the encryption block's %s target requires it to be; "+
		"encrypt what is stored with slipway state encrypt, or while migrating add fallback { method = method.unencrypted.NAME } to the target", s.what(), ErrNotEncrypted, s.target)
}

// parse splits a sealed document into its header line (with its
// newline), the nonce and ciphertext after it, and the decoded header.
func parse(stored []byte) (head, body []byte, h header, err error) {
	nl := bytes.IndexByte(stored, '\n')
	if nl < 0 {
		return nil, nil, h, errors.New("its header is cut short")
	}
	head, body = stored[:nl+1], stored[nl+1:]
	version, js, ok := strings.Cut(string(head[len(state.SealedPrefix):nl]), " ")
	if !ok {
		return nil, nil, h, errors.New("its header is damaged")
	}
	if version != formatVersion {
		return nil, nil, h, fmt.Errorf("it is sealed in format %q, which this slipway (format %s) cannot read: use a newer slipway", version, formatVersion)
	}
	if err := json.Unmarshal([]byte(js), &h); err != nil {
		return nil, nil, h, fmt.Errorf("its header is damaged: %w", err)
	}
	if h.Method == "" || h.KeyProvider == "" || len(h.Salt) == 0 {
		return nil, nil, h, errors.New("its header names no method or key provider")
	}
	return head, body, h, nil
}

// addrType is TYPE of KIND.TYPE.NAME.
func addrType(addr string) string {
	parts := strings.Split(addr, ".")
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}

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
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// PBKDF2 settings: the defaults are OpenTofu's, and the limits keep a
// weak setting out of the configuration and a forged header from asking
// for hours of work.
const (
	DefaultIterations = 600_000
	MinIterations     = 200_000
	maxIterations     = 20_000_000
	DefaultSaltLength = 32
	DefaultKeyLength  = 32
	MinPassphrase     = 16
)

// PBKDF2 is key provider pbkdf2: key material derived from a passphrase
// with PBKDF2-HMAC, its salt stored in the header of what is sealed.
type PBKDF2 struct {
	addr       string
	passphrase string
	iterations int
	hash       string // "sha512" or "sha256"
	saltLength int
	keyLength  int

	mu      sync.Mutex
	derived map[string][]byte // material by canonical params
	current *pbkdf2Key        // what NewKey gives
}

type pbkdf2Key struct {
	material []byte
	params   json.RawMessage
}

// pbkdf2Params is what the header holds: everything but the passphrase.
type pbkdf2Params struct {
	Salt       []byte `json:"salt"`
	Iterations int    `json:"iterations"`
	Hash       string `json:"hash_function"`
	KeyLength  int    `json:"key_length"`
}

// PBKDF2Options are the arguments of a pbkdf2 block; zero values take the
// defaults.
type PBKDF2Options struct {
	Passphrase   string
	Iterations   int
	HashFunction string
	SaltLength   int
	KeyLength    int
}

// NewPBKDF2 returns key provider addr (key_provider.pbkdf2.NAME), or says
// which option is out of bounds.
func NewPBKDF2(addr string, o PBKDF2Options) (*PBKDF2, error) {
	p := &PBKDF2{addr: addr, passphrase: o.Passphrase, iterations: o.Iterations, hash: o.HashFunction,
		saltLength: o.SaltLength, keyLength: o.KeyLength, derived: map[string][]byte{}}
	if p.iterations == 0 {
		p.iterations = DefaultIterations
	}
	if p.hash == "" {
		p.hash = "sha512"
	}
	if p.saltLength == 0 {
		p.saltLength = DefaultSaltLength
	}
	if p.keyLength == 0 {
		p.keyLength = DefaultKeyLength
	}
	switch {
	case len(p.passphrase) < MinPassphrase:
		return nil, fmt.Errorf("the passphrase has %d characters; it needs at least %d", len(p.passphrase), MinPassphrase)
	case p.iterations < MinIterations || p.iterations > maxIterations:
		return nil, fmt.Errorf("iterations is %d; it must be between %d and %d", p.iterations, MinIterations, maxIterations)
	case p.hash != "sha512" && p.hash != "sha256":
		return nil, fmt.Errorf("hash_function is %q; it must be \"sha512\" or \"sha256\"", p.hash)
	case p.saltLength < 16 || p.saltLength > 512:
		return nil, fmt.Errorf("salt_length is %d; it must be between 16 and 512", p.saltLength)
	case p.keyLength < 16 || p.keyLength > 64:
		return nil, fmt.Errorf("key_length is %d; it must be between 16 and 64", p.keyLength)
	}
	return p, nil
}

// Addr is key_provider.pbkdf2.NAME.
func (p *PBKDF2) Addr() string { return p.addr }

// NewKey returns the material to seal with. It reuses material already
// derived under the current settings (opening the stored state derived
// it), so that a run pays for one derivation, not two; the Sealer's HKDF
// salt still gives each run its own key.
func (p *PBKDF2) NewKey() ([]byte, json.RawMessage, error) {
	p.mu.Lock()
	if cur := p.current; cur != nil {
		p.mu.Unlock()
		return cur.material, cur.params, nil
	}
	p.mu.Unlock()
	params := pbkdf2Params{Salt: make([]byte, p.saltLength), Iterations: p.iterations, Hash: p.hash, KeyLength: p.keyLength}
	rand.Read(params.Salt)
	raw, err := json.Marshal(params)
	if err != nil {
		return nil, nil, err
	}
	material, err := p.Key(raw)
	if err != nil {
		return nil, nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.current == nil {
		p.current = &pbkdf2Key{material: material, params: raw}
	}
	return p.current.material, p.current.params, nil
}

// Key derives the material params describe, once per params.
func (p *PBKDF2) Key(raw json.RawMessage) ([]byte, error) {
	var params pbkdf2Params
	if err := json.Unmarshal(raw, &params); err != nil {
		return nil, fmt.Errorf("the stored pbkdf2 parameters are damaged: %w", err)
	}
	switch {
	case len(params.Salt) < 8 || len(params.Salt) > 512:
		return nil, errors.New("the stored pbkdf2 salt is damaged")
	case params.Iterations < 1 || params.Iterations > maxIterations:
		return nil, fmt.Errorf("the stored pbkdf2 iteration count %d is out of bounds", params.Iterations)
	case params.KeyLength < 16 || params.KeyLength > 64:
		return nil, fmt.Errorf("the stored pbkdf2 key length %d is out of bounds", params.KeyLength)
	}
	canon, _ := json.Marshal(params)
	p.mu.Lock()
	material, ok := p.derived[string(canon)]
	p.mu.Unlock()
	if ok {
		return material, nil
	}
	var err error
	switch params.Hash {
	case "sha512":
		material, err = pbkdf2.Key(sha512.New, p.passphrase, params.Salt, params.Iterations, params.KeyLength)
	case "sha256":
		material, err = pbkdf2.Key(sha256.New, p.passphrase, params.Salt, params.Iterations, params.KeyLength)
	default:
		return nil, fmt.Errorf("the stored pbkdf2 hash function %q is unknown", params.Hash)
	}
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.derived[string(canon)] = material
	// Material of the current settings serves for sealing too.
	if p.current == nil && params.Iterations == p.iterations && params.Hash == p.hash && params.KeyLength == p.keyLength && len(params.Salt) == p.saltLength {
		p.current = &pbkdf2Key{material: material, params: canon}
	}
	return material, nil
}

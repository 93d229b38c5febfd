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

package encryption_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/encryption"
)

const plainText = `{"secret":"Qz7-hush-hush-4b1e"}`

func pbkdf2Provider(t *testing.T, name, passphrase string) *encryption.PBKDF2 {
	t.Helper()
	p, err := encryption.NewPBKDF2("key_provider.pbkdf2."+name, encryption.PBKDF2Options{Passphrase: passphrase, Iterations: encryption.MinIterations})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func aesMethod(name string, keys encryption.KeyProvider) *encryption.Method {
	return &encryption.Method{Addr: "method.aes_gcm." + name, Type: "aes_gcm", Keys: keys}
}

var unencrypted = &encryption.Method{Addr: "method.unencrypted.migrate", Type: "unencrypted"}

func seal(t *testing.T, s *encryption.Sealer, plain string) []byte {
	t.Helper()
	b, err := s.Seal([]byte(plain))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	s := encryption.NewSealer("state", aesMethod("main", pbkdf2Provider(t, "main", "correct-horse-battery")))
	a, b := seal(t, s, plainText), seal(t, s, plainText)
	if !state.IsSealed(a) {
		t.Fatalf("sealed bytes do not start with %q: %q", state.SealedPrefix, a[:20])
	}
	if bytes.Equal(a, b) {
		t.Error("two seals of the same bytes are equal: the nonce is not random")
	}
	for _, leak := range []string{"hush-hush", "correct-horse-battery"} {
		if bytes.Contains(a, []byte(leak)) {
			t.Errorf("sealed bytes hold %q", leak)
		}
	}
	// A second process (a new Sealer and provider with the same
	// passphrase) opens what the first sealed.
	again := encryption.NewSealer("state", aesMethod("main", pbkdf2Provider(t, "main", "correct-horse-battery")))
	for _, sealed := range [][]byte{a, b} {
		got, err := again.Open(sealed)
		if err != nil || string(got) != plainText {
			t.Fatalf("Open = %q, %v; want the plain text", got, err)
		}
	}
	// The header names the method and key provider, and says nothing
	// secret.
	head, _, _ := bytes.Cut(a, []byte("\n"))
	for _, want := range []string{"slipway-sealed/1 ", `"method":"method.aes_gcm.main"`, `"key_provider":"key_provider.pbkdf2.main"`, `"iterations":200000`} {
		if !bytes.Contains(head, []byte(want)) {
			t.Errorf("header %s does not hold %s", head, want)
		}
	}
}

func TestWrongKey(t *testing.T) {
	t.Parallel()
	sealed := seal(t, encryption.NewSealer("state", aesMethod("main", pbkdf2Provider(t, "main", "correct-horse-battery"))), plainText)
	wrong := encryption.NewSealer("state", aesMethod("main", pbkdf2Provider(t, "main", "wrong-horse-battery-staple")))
	got, err := wrong.Open(sealed)
	if !errors.Is(err, encryption.ErrWrongKey) || got != nil {
		t.Fatalf("Open with a wrong passphrase = %q, %v; want ErrWrongKey", got, err)
	}
	for _, want := range []string{"the state is encrypted with a key that key_provider.pbkdf2.main does not give", "check the passphrase / key provider"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	plan := encryption.NewSealer("plan", aesMethod("main", pbkdf2Provider(t, "main", "wrong-horse-battery-staple")))
	if _, err := plan.Open(sealed); err == nil || !strings.Contains(err.Error(), "the saved plan is encrypted") {
		t.Errorf("the plan target's error %v does not name the saved plan", err)
	}
}

// TestFallback rotates a key: the new key seals, the old one still opens
// what it sealed, and without it the old documents are refused.
func TestFallback(t *testing.T) {
	t.Parallel()
	old := aesMethod("old", pbkdf2Provider(t, "old", "the-old-passphrase-1"))
	oldSealed := seal(t, encryption.NewSealer("state", old), plainText)

	rotating := encryption.NewSealer("state", aesMethod("new", pbkdf2Provider(t, "new", "the-new-passphrase-2")), old)
	if got, err := rotating.Open(oldSealed); err != nil || string(got) != plainText {
		t.Fatalf("the fallback does not open the old document: %q, %v", got, err)
	}
	newSealed := seal(t, rotating, plainText)
	if !bytes.Contains(newSealed[:200], []byte("method.aes_gcm.new")) {
		t.Errorf("Seal did not use the primary method: %q", newSealed[:200])
	}
	onlyOld := encryption.NewSealer("state", old)
	if _, err := onlyOld.Open(newSealed); !errors.Is(err, encryption.ErrWrongKey) {
		t.Errorf("the old key opens what the new one sealed: %v", err)
	}
	onlyNew := encryption.NewSealer("state", aesMethod("new", pbkdf2Provider(t, "new", "the-new-passphrase-2")))
	if _, err := onlyNew.Open(oldSealed); !errors.Is(err, encryption.ErrWrongKey) {
		t.Errorf("with the fallback gone, the old document opens: %v", err)
	}
	// The same passphrase under another name still opens it: names
	// order the tries, keys decide.
	renamed := encryption.NewSealer("state", aesMethod("renamed", pbkdf2Provider(t, "renamed", "the-old-passphrase-1")))
	if _, err := renamed.Open(oldSealed); err != nil {
		t.Errorf("a renamed key provider with the same passphrase: %v", err)
	}
}

func TestUnencrypted(t *testing.T) {
	t.Parallel()
	enc := encryption.NewSealer("state", aesMethod("main", pbkdf2Provider(t, "main", "correct-horse-battery")))
	if _, err := enc.Open([]byte(plainText)); !errors.Is(err, encryption.ErrNotEncrypted) || !strings.Contains(err.Error(), "slipway state encrypt") {
		t.Errorf("plain input to an encrypting target: %v, want ErrNotEncrypted saying what to do", err)
	}
	// OpenTofu's migration: unencrypted as a fallback reads plain state
	// and the method encrypts what is written.
	migrating := encryption.NewSealer("state", enc.Method(), unencrypted)
	for _, s := range []*encryption.Sealer{migrating, enc.AcceptingPlain()} {
		if got, err := s.Open([]byte(plainText)); err != nil || string(got) != plainText {
			t.Errorf("plain input while migrating: %q, %v", got, err)
		}
		if !state.IsSealed(seal(t, s, plainText)) {
			t.Error("a migrating Sealer does not encrypt")
		}
	}
	// And back: unencrypted as the method, the old one as a fallback.
	sealed := seal(t, enc, plainText)
	for _, s := range []*encryption.Sealer{encryption.NewSealer("state", unencrypted, enc.Method()), enc.Decrypting()} {
		if s.Encrypts() {
			t.Error("a decrypting Sealer says it encrypts")
		}
		if got := seal(t, s, plainText); string(got) != plainText {
			t.Errorf("a decrypting Sealer stores %q", got)
		}
		if got, err := s.Open(sealed); err != nil || string(got) != plainText {
			t.Errorf("a decrypting Sealer opens %q, %v", got, err)
		}
	}
}

// TestTampered changes each byte of a sealed document in turn: none may
// open, and none may panic.
func TestTampered(t *testing.T) {
	t.Parallel()
	s := encryption.NewSealer("state", aesMethod("main", pbkdf2Provider(t, "main", "correct-horse-battery")))
	sealed := seal(t, s, plainText)
	nl := bytes.IndexByte(sealed, '\n')
	// Each change to the pbkdf2 salt costs a derivation: its ends stand
	// for the rest of it.
	saltAt := bytes.Index(sealed, []byte(`"key":{"salt":"`)) + len(`"key":{"salt":"`)
	saltEnd := saltAt + bytes.IndexByte(sealed[saltAt:], '"')
	for i := range sealed {
		if i > saltAt+1 && i < saltEnd-2 {
			continue
		}
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x20
		if got, err := s.Open(bad); err == nil {
			t.Fatalf("a document changed at byte %d opens: %q", i, got)
		}
	}
	for _, n := range []int{0, len(state.SealedPrefix), nl, nl + 1, nl + 12, len(sealed) - 1} {
		if got, err := s.Open(sealed[:n]); err == nil {
			t.Errorf("a document cut to %d bytes opens: %q", n, got)
		}
	}
}

func TestForgedIterations(t *testing.T) {
	t.Parallel()
	p := pbkdf2Provider(t, "main", "correct-horse-battery")
	for _, params := range []string{`{"salt":"AAAAAAAAAAAAAAAAAAAAAA==","iterations":1000000000,"hash_function":"sha512","key_length":32}`,
		`{"salt":"","iterations":1,"hash_function":"sha512","key_length":32}`,
		`{"salt":"AAAAAAAAAAAAAAAAAAAAAA==","iterations":1,"hash_function":"md5","key_length":32}`,
		`{"salt":"AAAAAAAAAAAAAAAAAAAAAA==","iterations":1,"hash_function":"sha512","key_length":100000}`, `[]`} {
		if _, err := p.Key(json.RawMessage(params)); err == nil {
			t.Errorf("Key(%s) succeeded", params)
		}
	}
}

func TestPBKDF2Options(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]encryption.PBKDF2Options{
		"short passphrase": {Passphrase: "short"},
		"few iterations":   {Passphrase: "correct-horse-battery", Iterations: 1000},
		"unknown hash":     {Passphrase: "correct-horse-battery", HashFunction: "md5"},
		"short key":        {Passphrase: "correct-horse-battery", KeyLength: 8},
		"short salt":       {Passphrase: "correct-horse-battery", SaltLength: 4},
	} {
		if _, err := encryption.NewPBKDF2("key_provider.pbkdf2.x", o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestConcurrentSeal(t *testing.T) {
	t.Parallel()
	s := encryption.NewSealer("state", aesMethod("main", pbkdf2Provider(t, "main", "correct-horse-battery")))
	var wg sync.WaitGroup
	out := make([][]byte, 32)
	for i := range out {
		wg.Go(func() {
			b, err := s.Seal([]byte(plainText))
			if err != nil {
				t.Error(err)
			}
			out[i] = b
		})
	}
	wg.Wait()
	for _, b := range out {
		if got, err := s.Open(b); err != nil || string(got) != plainText {
			t.Fatalf("Open = %q, %v", got, err)
		}
	}
}

// loadEncryption loads a configuration of src and returns its encryption
// block.
func loadEncryption(t *testing.T, src string) *lang.Encryption {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.slip.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := lang.LoadDir(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return cfg.Slipway.Encryption
}

const setupPrefix = `
variable "pass" {
  sensitive = true
}
`

func TestSetup(t *testing.T) {
	t.Parallel()
	vars := map[string]cty.Value{"pass": cty.StringVal("correct-horse-battery")}
	tests := map[string]struct {
		body    string
		vars    map[string]cty.Value
		env     []string
		summary string // of the first error; empty for none
		line    int
		state   bool
		plan    bool
	}{
		"state and plan": {body: `
    key_provider "pbkdf2" "k" {
      passphrase = var.pass
      iterations = 200000
    }
    method "aes_gcm" "m" {
      keys = key_provider.pbkdf2.k
    }
    state {
      method = method.aes_gcm.m
    }
    plan {
      method = method.aes_gcm.m
    }`, vars: vars, state: true, plan: true},
		"marked sensitive": {body: `
    key_provider "pbkdf2" "k" {
      passphrase = var.pass
    }
    method "aes_gcm" "m" {
      keys = key_provider.pbkdf2.k
    }
    plan {
      method = method.aes_gcm.m
    }`, vars: map[string]cty.Value{"pass": cty.StringVal("correct-horse-battery").Mark("sensitive")}, plan: true},
		"passphrase from the environment": {body: `
    key_provider "pbkdf2" "k" {}
    method "aes_gcm" "m" {
      keys = key_provider.pbkdf2.k
    }
    state {
      method = method.aes_gcm.m
    }`, env: []string{"SLIPWAY_STATE_PASSPHRASE=correct-horse-battery"}, state: true},
		"no passphrase": {body: `
    key_provider "pbkdf2" "k" {}`, summary: "No passphrase", line: 7},
		"variable without a value": {body: `
    key_provider "pbkdf2" "k" {
      passphrase = var.pass
    }`, vars: map[string]cty.Value{"pass": cty.UnknownVal(cty.String)}, summary: "No value for the encryption configuration", line: 8},
		"short passphrase": {body: `
    key_provider "pbkdf2" "k" {
      passphrase = "short"
    }`, summary: "Invalid pbkdf2 key provider", line: 8},
		"unknown key provider": {body: `
    key_provider "vault" "k" {}`, summary: "Unsupported key provider type", line: 7},
		"unknown method": {body: `
    method "rot13" "m" {}`, summary: "Unsupported method type", line: 7},
		"unknown argument": {body: `
    method "aes_gcm" "m" {
      keys = key_provider.pbkdf2.k
      aad  = "x"
    }`, summary: "Unsupported argument", line: 9},
		"undeclared key provider": {body: `
    method "aes_gcm" "m" {
      keys = key_provider.pbkdf2.k
    }`, summary: "Reference to undeclared key provider", line: 8},
		"keys not a reference": {body: `
    method "aes_gcm" "m" {
      keys = "key_provider.pbkdf2.k"
    }`, summary: "Invalid reference", line: 8},
		"enforced unencrypted": {body: `
    method "unencrypted" "u" {}
    state {
      method   = method.unencrypted.u
      enforced = true
    }`, summary: "Unencrypted method enforced against", line: 9},
		"undeclared method": {body: `
    plan {
      method = method.aes_gcm.nope
    }`, summary: "Reference to undeclared method", line: 8},
		"kubernetes secret": {body: `
    key_provider "kubernetes_secret" "k" {
      namespace = "slipway"
      name      = "state-key"
      key       = "key"
    }
    method "aes_gcm" "m" {
      keys = key_provider.kubernetes_secret.k
    }
    state {
      method = method.aes_gcm.m
    }`, state: true},
		"kubernetes secret without a name": {body: `
    key_provider "kubernetes_secret" "k" {
      key = "key"
    }`, summary: "Missing required argument", line: 7},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := loadEncryption(t, setupPrefix+"slipway {\n  encryption {"+tt.body+"\n  }\n}\n")
			targets, diags := encryption.Setup(e, tt.vars, tt.env)
			if tt.summary == "" {
				if diags.HasErrors() {
					t.Fatal(diags.Error())
				}
				if (targets.State != nil) != tt.state || (targets.Plan != nil) != tt.plan {
					t.Errorf("targets %+v; want state %v, plan %v", targets, tt.state, tt.plan)
				}
				return
			}
			if !diags.HasErrors() {
				t.Fatalf("no error; want %q", tt.summary)
			}
			d := diags[0]
			if d.Summary != tt.summary || d.Subject == nil || d.Subject.Start.Line != tt.line {
				t.Errorf("first diagnostic %q at %v; want %q on line %d\n%s", d.Summary, d.Subject, tt.summary, tt.line, diags.Error())
			}
			if targets.State != nil || targets.Plan != nil {
				t.Error("Setup in error returned Sealers")
			}
		})
	}
}

// TestValidate checks a block without variable values: mistakes of
// types, arguments and references show; what needs values does not.
func TestValidate(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		body    string
		summary string // of the first error; empty for none
	}{
		"needs values only": {body: `
    key_provider "pbkdf2" "k" {
      passphrase = var.pass
    }
    key_provider "pbkdf2" "env" {}
    method "aes_gcm" "m" {
      keys = key_provider.pbkdf2.k
    }
    state {
      method = method.aes_gcm.m
      fallback {
        method = method.aes_gcm.e
      }
    }
    method "aes_gcm" "e" {
      keys = key_provider.pbkdf2.env
    }`},
		"method type": {body: `
    method "aes_gmc" "m" {}`, summary: "Unsupported method type"},
		"argument": {body: `
    key_provider "pbkdf2" "k" {
      passphrase = var.pass
      rounds     = 3
    }`, summary: "Unsupported argument"},
		"function call": {body: `
    key_provider "pbkdf2" "k" {
      passphrase = file("key")
    }`, summary: "Function calls not allowed"},
		"enforced": {body: `
    method "unencrypted" "u" {}
    plan {
      method   = method.unencrypted.u
      enforced = true
    }`, summary: "Unencrypted method enforced against"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			diags := encryption.Validate(loadEncryption(t, setupPrefix+"slipway {\n  encryption {"+tt.body+"\n  }\n}\n"))
			switch {
			case tt.summary == "" && diags.HasErrors():
				t.Fatal(diags.Error())
			case tt.summary != "" && (!diags.HasErrors() || diags[0].Summary != tt.summary):
				t.Fatalf("diagnostics %v; want first %q", diags, tt.summary)
			}
		})
	}
}

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

package lang

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEncryptionModel(t *testing.T) {
	t.Parallel()
	cfg, _ := LoadDir(filepath.Join("testdata", "encryption"))
	e := cfg.Slipway.Encryption
	if e == nil {
		t.Fatal("no encryption block in the model")
	}
	var got []string
	for _, b := range append(e.KeyProviders, e.Methods...) {
		got = append(got, b.Addr())
	}
	want := []string{"key_provider.pbkdf2.main", "key_provider.pbkdf2.from_env", "key_provider.pbkdf2.bad", "key_provider.pbkdf2.chained",
		"method.aes_gcm.main", "method.aes_gcm.old", "method.aes_gcm.resource", "method.unencrypted.migrate"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("blocks (-want +got):\n%s", diff)
	}
	if e.State == nil || len(e.State.Fallbacks) != 2 || !e.State.Enforced || e.State.Name != "state" {
		t.Errorf("state target = %+v, want two fallbacks, enforced", e.State)
	}
	if e.Plan == nil || e.Plan.Name != "plan" {
		t.Errorf("plan target = %+v", e.Plan)
	}
	if diff := cmp.Diff([]string{"iterations", "passphrase"}, e.Variables()); diff != "" {
		t.Errorf("Variables (-want +got):\n%s", diff)
	}
}

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

package command

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/local"
)

// backendConfig is a backend block, or the local backend a configuration
// without one uses.
type backendConfig struct {
	Type string
	Body hcl.Body
	// Range is the block's, or nil for the implied local backend.
	Range *hcl.Range
}

// backendConfig is the configuration's backend block, local by default.
func (m *Meta) backendConfig(cfg *lang.Config) backendConfig {
	if cfg != nil && cfg.Slipway != nil && cfg.Slipway.Backend != nil {
		b := cfg.Slipway.Backend
		r := b.DeclRange
		return backendConfig{Type: b.Type, Body: b.Config, Range: &r}
	}
	return impliedBackend()
}

// impliedBackend is the backend of a configuration without a backend
// block: local, at the default path.
func impliedBackend() backendConfig {
	return backendConfig{Type: "local", Body: hcl.EmptyBody()}
}

// store opens the Store the configuration's backend names. It refuses
// when the backend configuration differs from the one init set up, so
// that no command reads or writes the state of a backend whose states
// were not moved to it (init -migrate-state) or forgotten on purpose
// (init -reconfigure).
func (m *Meta) store(cfg *lang.Config) (state.Store, hcl.Diagnostics) {
	sealer, _, diags := m.sealers(cfg, nil)
	if diags.HasErrors() {
		return nil, diags
	}
	s, d := m.sealedStore(cfg, sealer)
	return s, append(diags, d...)
}

// sealedStore is store with the state sealed by sealer.
func (m *Meta) sealedStore(cfg *lang.Config, sealer state.Sealer) (state.Store, hcl.Diagnostics) {
	bc := m.backendConfig(cfg)
	if diags := m.checkBackendUnchanged(bc); diags.HasErrors() {
		return nil, diags
	}
	return m.openStore(bc, sealer)
}

// openStore opens the Store of a backend configuration.
//
// Every backend is a case of its switch, calling a function in a file of
// its own (backend_NAME.go) that decodes b.Body and returns the backend's
// state.Store, its states sealed by sealer (nil: stored as they are). A
// backend whose arguments may hold secrets also names them in
// secretArguments, below.
func (m *Meta) openStore(b backendConfig, sealer state.Sealer) (state.Store, hcl.Diagnostics) {
	s, diags := m.openStoreOf(b, sealer)
	if s != nil {
		m.openedMu.Lock()
		m.opened = append(m.opened, s)
		m.openedMu.Unlock()
	}
	return s, diags
}

func (m *Meta) openStoreOf(b backendConfig, sealer state.Sealer) (state.Store, hcl.Diagnostics) {
	var rng hcl.Range
	if b.Range != nil {
		rng = *b.Range
	}
	switch b.Type {
	case "local":
		return m.localStore(b, sealer)
	case "kubernetes":
		return kubernetesStore(b.Body, rng, sealer)
	case "pg":
		return pgStore(context.Background(), b.Body, rng, sealer)
	}
	return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unsupported backend type",
		Detail: fmt.Sprintf("Backend %q is not supported by this version of slipway; use backend \"local\" { path = \"...\" }, backend \"kubernetes\" { secret_suffix = \"...\" } or backend \"pg\" { conn_str = \"...\" }.", b.Type), Subject: b.Range}}
}

// secretArguments says whether argument name of backend type typ may hold
// a secret (a password in a connection string, a token). init records
// only a salted hash of such an argument, never its value. To open the
// previous backend, -migrate-state takes its value from the configured
// backend when that has the same type and the hash confirms it is the
// same; otherwise the previous backend is opened without it, and must
// find it as it would without the argument (in its environment). An
// argument named like a password, passphrase, token or connection string
// is treated as a secret whatever its backend.
func secretArguments(typ, name string) bool {
	switch typ {
	case "pg":
		return name == "conn_str"
	}
	for _, w := range []string{"password", "passphrase", "token", "credentials", "conn_str"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// localStore is backend "local": path (default slipway.slipstate) and
// workspace_dir (default PATH.d), relative to the configuration.
func (m *Meta) localStore(b backendConfig, sealer state.Sealer) (state.Store, hcl.Diagnostics) {
	var lc struct {
		Path         *string  `hcl:"path"`
		WorkspaceDir *string  `hcl:"workspace_dir"`
		Rest         hcl.Body `hcl:",remain"`
	}
	if diags := gohcl.DecodeBody(b.Body, nil, &lc); diags.HasErrors() {
		return nil, diags
	}
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(m.Dir, p)
	}
	path := filepath.Join(m.Dir, state.DefaultLocalPath)
	if lc.Path != nil {
		path = rel(*lc.Path)
	}
	opts := local.Options{Sealer: sealer}
	if lc.WorkspaceDir != nil {
		opts.WorkspaceDir = rel(*lc.WorkspaceDir)
	}
	return local.NewStore(path, opts), nil
}

// backend opens the Backend of the selected workspace, which must exist
// (the default one always does), sealing state as the configuration's
// encryption block says.
func (m *Meta) backend(cfg *lang.Config) (state.Backend, hcl.Diagnostics) {
	sealer, _, diags := m.sealers(cfg, nil)
	if diags.HasErrors() {
		return nil, diags
	}
	b, d := m.sealedBackend(cfg, sealer)
	return b, append(diags, d...)
}

// sealedBackend is backend with the state sealed by sealer.
func (m *Meta) sealedBackend(cfg *lang.Config, sealer state.Sealer) (state.Backend, hcl.Diagnostics) {
	s, diags := m.sealedStore(cfg, sealer)
	if diags.HasErrors() {
		return nil, diags
	}
	ws, err := m.workspace()
	if err != nil {
		return nil, errorDiags(err)
	}
	if ws != state.DefaultWorkspace {
		// The first Ctrl-C ends the listing, which may ask a server.
		ctx := context.Background()
		if m.Stop != nil {
			ctx = m.Stop
		}
		names, err := s.Workspaces(ctx)
		if err != nil {
			return nil, errorDiags(err)
		}
		if !slices.Contains(names, ws) {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Workspace does not exist",
				Detail: fmt.Sprintf("The selected workspace %q (%s) does not exist in this backend, which has %s. Create it with slipway workspace new %s, or select another with slipway workspace select.",
					ws, m.workspaceSource(), strings.Join(names, ", "), ws)}}
		}
	}
	b, err := s.Backend(ws)
	if err != nil {
		return nil, errorDiags(err)
	}
	return b, nil
}

func errorDiags(err error) hcl.Diagnostics {
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot open the state", Detail: err.Error()}}
}

// dataDir is where slipway keeps what belongs to this working directory
// and not to the configuration: the selected workspace, the backend init
// set up, pipeline runs.
func (m *Meta) dataDir() string { return filepath.Join(m.Dir, ".slipway") }

// backendRecordName is the file, in the data directory, in which init
// records the backend it set up, as Terraform does in
// .terraform/terraform.tfstate.
const backendRecordName = "backend.json"

// A backendRecord is what init records of the backend configuration it
// set up: enough to tell whether the configuration changed since, and
// to open that backend again for init -migrate-state, but never a secret.
type backendRecord struct {
	Version int    `json:"version"`
	Type    string `json:"type"`
	// Hash is "sha256:" and the hex SHA-256 of Salt and the arguments'
	// names and values; Salt is random, so that the hash of a secret
	// argument cannot be looked up.
	Hash string `json:"hash"`
	Salt string `json:"salt"`
	// Config holds the arguments that hold no secrets, each as go-cty
	// JSON with its type; Withheld names the others.
	Config   map[string]json.RawMessage `json:"config,omitempty"`
	Withheld []string                   `json:"withheld,omitempty"`
	// Implied marks the record slipway assumes when none was made: the
	// local backend of a working directory with a state at its default
	// path. It is never written.
	Implied bool `json:"-"`
}

// backendArgs are a backend block's arguments, evaluated; they must be
// literal values.
func backendArgs(b backendConfig) (map[string]cty.Value, hcl.Diagnostics) {
	attrs, diags := b.Body.JustAttributes()
	if diags.HasErrors() {
		return nil, diags
	}
	args := map[string]cty.Value{}
	for name, a := range attrs {
		v, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		args[name] = v
	}
	return args, diags
}

// hashBackend is the Hash of a backend configuration with salt.
func hashBackend(typ string, args map[string]cty.Value, salt string) (string, error) {
	names := make([]string, 0, len(args))
	for n := range args {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", salt, typ)
	for _, n := range names {
		v := args[n]
		b, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			return "", fmt.Errorf("backend argument %s: %w", n, err)
		}
		t, err := ctyjson.MarshalType(v.Type())
		if err != nil {
			return "", fmt.Errorf("backend argument %s: %w", n, err)
		}
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", n, t, b)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// newBackendRecord records b.
func newBackendRecord(b backendConfig) (*backendRecord, hcl.Diagnostics) {
	args, diags := backendArgs(b)
	if diags.HasErrors() {
		return nil, diags
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	r := &backendRecord{Version: 1, Type: b.Type, Salt: hex.EncodeToString(salt), Config: map[string]json.RawMessage{}}
	var err error
	if r.Hash, err = hashBackend(b.Type, args, r.Salt); err != nil {
		return nil, errorDiags(err)
	}
	for name, v := range args {
		if secretArguments(b.Type, name) {
			r.Withheld = append(r.Withheld, name)
			continue
		}
		j, err := json.Marshal(ctyjson.SimpleJSONValue{Value: v})
		if err != nil {
			return nil, errorDiags(fmt.Errorf("backend argument %s: %w", name, err))
		}
		r.Config[name] = j
	}
	sort.Strings(r.Withheld)
	return r, diags
}

// matches reports whether b is the configuration r records.
func (r *backendRecord) matches(b backendConfig) (bool, hcl.Diagnostics) {
	if r.Type != b.Type {
		return false, nil
	}
	args, diags := backendArgs(b)
	if diags.HasErrors() {
		return false, diags
	}
	h, err := hashBackend(b.Type, args, r.Salt)
	if err != nil {
		return false, errorDiags(err)
	}
	return h == r.Hash, nil
}

// config is the backend configuration r records. The withheld arguments
// are taken from cur when it is of the same type and the hash confirms
// that they are the recorded ones; missing lists those left out.
func (r *backendRecord) config(cur backendConfig) (b backendConfig, missing []string, err error) {
	args := map[string]cty.Value{}
	for n, raw := range r.Config {
		var v ctyjson.SimpleJSONValue
		if err := json.Unmarshal(raw, &v); err != nil {
			return backendConfig{}, nil, fmt.Errorf("argument %s: %w", n, err)
		}
		args[n] = v.Value
	}
	if len(r.Withheld) > 0 {
		curArgs, diags := backendArgs(cur)
		withheld := map[string]cty.Value{}
		for _, n := range r.Withheld {
			if v, ok := curArgs[n]; ok && cur.Type == r.Type && !diags.HasErrors() {
				withheld[n] = v
			}
		}
		all := map[string]cty.Value{}
		for n, v := range args {
			all[n] = v
		}
		for n, v := range withheld {
			all[n] = v
		}
		if h, err := hashBackend(r.Type, all, r.Salt); err == nil && h == r.Hash {
			args = all
		} else {
			missing = r.Withheld
		}
	}
	f := hclwrite.NewEmptyFile()
	names := make([]string, 0, len(args))
	for n := range args {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f.Body().SetAttributeValue(n, args[n])
	}
	parsed, diags := hclsyntax.ParseConfig(f.Bytes(), backendRecordName, hcl.InitialPos)
	if diags.HasErrors() {
		return backendConfig{}, nil, diags
	}
	// The previous backend's diagnostics point at the record it was
	// opened from: there is no block of it left in the configuration.
	rng := parsed.Body.(*hclsyntax.Body).SrcRange
	return backendConfig{Type: r.Type, Body: parsed.Body, Range: &rng}, missing, nil
}

// describe names the backend r records for people: its type and the
// arguments it recorded.
func (r *backendRecord) describe() string {
	if r.Implied {
		return fmt.Sprintf("%q (the default, at %s)", r.Type, state.DefaultLocalPath)
	}
	var args []string
	for n, v := range r.Config {
		var sv ctyjson.SimpleJSONValue
		if json.Unmarshal(v, &sv) == nil && sv.Value.Type() == cty.String {
			args = append(args, fmt.Sprintf("%s = %q", n, sv.Value.AsString()))
		}
	}
	sort.Strings(args)
	if len(args) == 0 {
		return fmt.Sprintf("%q", r.Type)
	}
	return fmt.Sprintf("%q (%s)", r.Type, strings.Join(args, ", "))
}

// readBackendRecord reads what init recorded, or returns the implied
// record of the default local backend when nothing was recorded and a
// state is at its default path, or nil.
func (m *Meta) readBackendRecord() (*backendRecord, error) {
	path := filepath.Join(m.dataDir(), backendRecordName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		for _, p := range []string{state.DefaultLocalPath, state.DefaultLocalPath + ".d"} {
			if _, err := os.Stat(filepath.Join(m.Dir, p)); err == nil {
				args := map[string]cty.Value{}
				h, err := hashBackend("local", args, "")
				return &backendRecord{Version: 1, Type: "local", Hash: h, Implied: true}, err
			}
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r backendRecord
	if err := json.Unmarshal(data, &r); err != nil || r.Type == "" || r.Hash == "" {
		return nil, fmt.Errorf("%s is not a backend record slipway can read; run slipway init -reconfigure to set up the configured backend again", path)
	}
	return &r, nil
}

// writeBackendRecord records r.
func (m *Meta) writeBackendRecord(r *backendRecord) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(m.dataDir(), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(m.dataDir(), backendRecordName), append(data, '\n'), 0o600)
}

// checkBackendUnchanged refuses a backend configuration other than the
// one init recorded. Nothing recorded means nothing to compare with,
// unless a state is at the default local path: that state is the
// default local backend's.
func (m *Meta) checkBackendUnchanged(b backendConfig) hcl.Diagnostics {
	rec, err := m.readBackendRecord()
	if err != nil {
		return errorDiags(err)
	}
	if rec == nil {
		return nil
	}
	ok, diags := rec.matches(b)
	if diags.HasErrors() || ok {
		return diags
	}
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Backend configuration changed",
		Detail: fmt.Sprintf("The backend configuration differs from the one slipway was initialised with (backend %s). "+
			"Run slipway init -migrate-state to copy every workspace's state to the new backend, "+
			"or slipway init -reconfigure to use the new backend without copying anything.", rec.describe()),
		Subject: b.Range}}
}

// writeFileAtomic replaces path with data: a reader sees the old file or
// the new one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), perm)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

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

package file

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/zclconf/go-cty/cty"

	sdk "slipway.dev/slipway/plugin-sdk"
)

// New returns the provider; tests start it the same way slipway does.
func New() sdk.Provider { return provider{} }

type provider struct{}

func (provider) Metadata() sdk.Metadata { return sdk.Metadata{Name: "file", Version: "0.1.0"} }
func (provider) Schema() sdk.Schema     { return sdk.Schema{} } // no provider block settings

func (provider) Configure(context.Context, sdk.ConfigureRequest, *sdk.ConfigureResponse) {}

func (provider) Resources() map[string]sdk.Resource {
	return map[string]sdk.Resource{"file": file{}, "file_ticket": ticket{}}
}

// file is the resource type `resource "file" "NAME" { path = ... content = ... }`.
type file struct{}

var (
	_ sdk.ResourceWithPlan     = file{}
	_ sdk.ResourceWithValidate = file{}
	_ sdk.ResourceWithImport   = file{}
)

const defaultMode = "0644"

var modePattern = regexp.MustCompile(`^0[0-7]{3}$`) // four octal digits

var schema = sdk.Schema{
	Description: "A local file with the given content.",
	Attributes: map[string]sdk.Attribute{
		"path":    {Type: cty.String, Required: true, ForceNew: true, Description: "Where the file lives; changing it replaces the file."},
		"content": {Type: cty.String, Required: true, Description: "What the file holds."},
		"mode":    {Type: cty.String, Optional: true, Computed: true, Default: cty.StringVal(defaultMode), Description: "Permissions as four octal digits."},
		"id":      {Type: cty.String, Computed: true, Description: "The path."},
		"sha256":  {Type: cty.String, Computed: true, Description: "The SHA-256 of the content, in hex."},
	},
}

// fileState is the resource's value as Decode reads it and Set writes it.
type fileState struct {
	Path    string `slipway:"path"`
	Content string `slipway:"content"`
	Mode    string `slipway:"mode"`
	ID      string `slipway:"id"`
	SHA256  string `slipway:"sha256"`
}

func (file) Schema() sdk.Schema { return schema }

func (file) Validate(_ context.Context, req sdk.ValidateRequest, resp *sdk.ValidateResponse) {
	resp.Diagnostics = sdk.ValidateConfig(schema, req.Config) // required attributes
	if m := sdk.GetString(req.Config, "mode"); m != "" && !modePattern.MatchString(m) {
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath("mode"), "Invalid file mode",
			fmt.Sprintf("The mode %q is not four octal digits; write it like \"0644\".", m))
	}
}

// Plan starts from the SDK's default plan (resp arrives filled with it, the
// mode's Default in place) and sets what follows from the configuration,
// so the plan shows real values. The configuration may hold values known
// only after apply, so it is read with GetString and IsKnown rather than
// decoded.
func (file) Plan(_ context.Context, req sdk.PlanRequest, resp *sdk.PlanResponse) {
	st := resp.PlannedState
	st = sdk.With(st, "id", req.Config.GetAttr("path"))
	if sdk.IsKnown(req.Config, "content") {
		st = sdk.With(st, "sha256", sdk.String(hash(sdk.GetString(req.Config, "content"))))
	} else {
		st = sdk.With(st, "sha256", cty.UnknownVal(cty.String)) // known after apply
	}
	resp.PlannedState = st
}

func (file) Apply(_ context.Context, req sdk.ApplyRequest, resp *sdk.ApplyResponse) {
	if req.PlannedState.IsNull() { // destroy
		var prior fileState
		if resp.Diagnostics = sdk.Decode(req.PriorState, &prior); resp.Diagnostics.HasErrors() {
			return
		}
		if err := os.Remove(prior.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			resp.NewState = req.PriorState // still there
			resp.Diagnostics.AddError("Cannot delete file", err.Error())
			return
		}
		resp.NewState = req.PlannedState
		return
	}
	// At apply the configuration is wholly known.
	var cfg fileState
	if resp.Diagnostics = sdk.Decode(req.Config, &cfg); resp.Diagnostics.HasErrors() {
		return
	}
	path, content, mode := cfg.Path, cfg.Content, cfg.Mode
	if mode == "" {
		mode = defaultMode
	}
	perm, _ := strconv.ParseUint(mode, 8, 32) // Validate checked it
	req.Progress("writing " + path)
	err := os.MkdirAll(filepath.Dir(path), 0o755)
	if err == nil {
		err = os.WriteFile(path, []byte(content), fs.FileMode(perm))
	}
	if err == nil {
		err = os.Chmod(path, fs.FileMode(perm)) // WriteFile keeps an existing file's mode
	}
	if err != nil {
		// With NewState unset after an error, the SDK keeps the prior state.
		resp.Diagnostics.AddAttributeError(cty.GetAttrPath("path"), "Cannot write file", err.Error())
		return
	}
	resp.Set(state(path, content, mode))
}

// Read reports the file as it is now, so changes made by hand show as drift.
func (file) Read(_ context.Context, req sdk.ReadRequest, resp *sdk.ReadResponse) {
	st, err := readFile(sdk.GetString(req.State, "path"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		resp.NewState = cty.NullVal(schema.ImpliedType()) // gone: slipway will plan to create it
	case err != nil:
		resp.Diagnostics.AddError("Cannot read file", err.Error())
	default:
		resp.Set(st)
	}
}

// Import adopts an existing file; its ID is the path.
func (file) Import(_ context.Context, req sdk.ImportRequest, resp *sdk.ImportResponse) {
	st, err := readFile(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import file", err.Error())
		return
	}
	resp.Set(st)
}

func readFile(path string) (fileState, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return fileState{}, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return fileState{}, err
	}
	return state(path, string(data), fmt.Sprintf("%04o", info.Mode().Perm())), nil
}

func state(path, content, mode string) fileState {
	return fileState{Path: path, Content: content, Mode: mode, ID: path, SHA256: hash(content)}
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

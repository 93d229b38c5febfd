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

package condition

import (
	"errors"
	"testing"
)

func TestCompileAndEval(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		cond   string
		result any
		want   bool
	}{
		"below":        {"result < 0.05", 0.01, true},
		"above":        {"result < 0.05", 0.5, false},
		"int vs float": {"result >= 1", int64(1), true},
		"string":       {"result.startsWith('ok')", "ok then", true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			prg, err := Compile(tt.cond)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Eval(prg, tt.result)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s with result %v = %v, want %v", tt.cond, tt.result, got, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		cond      string
		line, col int
	}{
		"syntax":     {"result < < 1", 1, 9},
		"undeclared": {"value < 1", 1, 0},
		"not bool":   {"result + 1", 0, 0},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Compile(tt.cond)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Compile(%q) = %v, want an *Error", tt.cond, err)
			}
			if ce.Line != tt.line || ce.Column != tt.col {
				t.Errorf("Compile(%q) at %d:%d, want %d:%d (%s)", tt.cond, ce.Line, ce.Column, tt.line, tt.col, ce.Message)
			}
		})
	}
}

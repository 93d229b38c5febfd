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
	"fmt"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"
)

// Variable is the name a condition reads the measured value by.
const Variable = "result"

// costLimit bounds the work of one evaluation.
const costLimit = 100_000

// Error is a condition that does not compile, with where in it the
// mistake is: Line is 1-based, Column 0-based, in runes; Line is 0 when
// the mistake is the whole condition.
type Error struct {
	Line, Column int
	Message      string
}

func (e *Error) Error() string { return e.Message }

// env is the one CEL environment of conditions.
func env() (*cel.Env, error) {
	return cel.NewEnv(
		cel.Variable(Variable, cel.DynType),
		cel.CrossTypeNumericComparisons(true),
		ext.Strings(),
		ext.Lists(),
	)
}

// Compile compiles a condition into a program to evaluate. A mistake in
// it is an *Error.
func Compile(src string) (cel.Program, error) {
	e, err := env()
	if err != nil {
		return nil, fmt.Errorf("prepare the CEL environment of conditions: %w", err)
	}
	ast, iss := e.Compile(src)
	if iss.Err() != nil {
		first := iss.Errors()[0]
		return nil, &Error{Line: first.Location.Line(), Column: first.Location.Column(), Message: first.Message}
	}
	if t := ast.OutputType(); !t.IsExactType(cel.BoolType) {
		return nil, &Error{Message: fmt.Sprintf("the condition is a %s, but it must be true or false; compare the result with something, like %s < 0.05", t, Variable)}
	}
	prg, err := e.Program(ast, cel.CostLimit(costLimit))
	if err != nil {
		return nil, &Error{Message: err.Error()}
	}
	return prg, nil
}

// Eval evaluates a compiled condition with result as the measured value
// (a float64, a string, or what a JSON decoder makes of a vector).
func Eval(prg cel.Program, result any) (bool, error) {
	out, _, err := prg.Eval(map[string]any{Variable: result})
	if err != nil {
		return false, fmt.Errorf("evaluate the condition: %w", err)
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, errors.New("the condition did not give true or false")
	}
	return b, nil
}

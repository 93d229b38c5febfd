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
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"slipway.dev/slipway/state"
	"slipway.dev/slipway/state/pg"
)

// pgBackendSchema is backend "pg"'s arguments, named as Terraform's pg
// backend names them, with lock_ttl added.
var pgBackendSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "conn_str"},
	{Name: "schema_name"},
	{Name: "skip_schema_creation"},
	{Name: "skip_table_creation"},
	{Name: "lock_ttl"},
}}

// pgStore opens backend "pg" as body configures it (rng is the backend
// block's), with sealer encrypting what it stores when not nil. An
// argument left out comes from the environment as Terraform's does:
// PG_CONN_STR, PG_SCHEMA_NAME, PG_SKIP_SCHEMA_CREATION,
// PG_SKIP_TABLE_CREATION, then libpq's PG* variables.
func pgStore(ctx context.Context, body hcl.Body, rng hcl.Range, sealer state.Sealer) (state.Store, hcl.Diagnostics) {
	content, diags := body.Content(pgBackendSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	cfg := pg.Config{Sealer: sealer}
	attr := func(name string, ty cty.Type) (cty.Value, *hcl.Attribute) {
		a := content.Attributes[name]
		if a == nil {
			return cty.NilVal, nil
		}
		v, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if d.HasErrors() {
			return cty.NilVal, nil
		}
		cv, err := convert.Convert(v, ty)
		if err != nil || cv.IsNull() {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid backend argument",
				Detail:  fmt.Sprintf("The argument %s of backend \"pg\" must be a %s.", name, ty.FriendlyName()),
				Subject: a.Expr.Range().Ptr()})
			return cty.NilVal, nil
		}
		return cv, a
	}
	if v, a := attr("conn_str", cty.String); a != nil {
		cfg.ConnStr = v.AsString()
	}
	if v, a := attr("schema_name", cty.String); a != nil {
		cfg.SchemaName = v.AsString()
		if cfg.SchemaName == "" {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid backend argument",
				Detail:  "schema_name must not be empty; leave it out for the default schema, " + pg.DefaultSchemaName + ".",
				Subject: a.Expr.Range().Ptr()})
		}
	}
	for _, b := range []struct {
		name, env string
		dst       *bool
	}{
		{"skip_schema_creation", "PG_SKIP_SCHEMA_CREATION", &cfg.SkipSchemaCreation},
		{"skip_table_creation", "PG_SKIP_TABLE_CREATION", &cfg.SkipTableCreation},
	} {
		if v, a := attr(b.name, cty.Bool); a != nil {
			*b.dst = v.True()
			continue
		}
		if content.Attributes[b.name] != nil {
			continue // reported above
		}
		if s := os.Getenv(b.env); s != "" {
			on, err := strconv.ParseBool(s)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid backend setting",
					Detail:  fmt.Sprintf("The environment variable %s=%q, which sets %s of backend \"pg\", must be true or false.", b.env, s, b.name),
					Subject: rng.Ptr()})
			}
			*b.dst = on
		}
	}
	if v, a := attr("lock_ttl", cty.String); a != nil {
		d, err := time.ParseDuration(v.AsString())
		switch {
		case err != nil:
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid backend argument",
				Detail:  fmt.Sprintf("lock_ttl must be a duration such as \"30s\" or \"2m\": %v.", err),
				Subject: a.Expr.Range().Ptr()})
		case d < time.Second:
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid backend argument",
				Detail:  fmt.Sprintf("lock_ttl %s is too short: the lock is renewed every third of it, so it must be at least 1s (the default is %s).", d, pg.DefaultLockTTL),
				Subject: a.Expr.Range().Ptr()})
		default:
			cfg.LockTTL = d
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	s, err := pg.NewStore(ctx, cfg)
	if err != nil {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot open the pg backend",
			Detail: fmt.Sprintf("%v.\n\nCheck conn_str (or PG_CONN_STR and libpq's PG* environment variables: PGHOST, PGUSER, PGPASSWORD, ...), "+
				"that the database exists and is reachable, and that the role may use the schema.", err),
			Subject: rng.Ptr()})
	}
	return s, diags
}

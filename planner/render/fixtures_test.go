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

package render

import (
	"time"

	"github.com/zclconf/go-cty/cty"

	"slipway.dev/slipway/lang/addrs"
	"slipway.dev/slipway/planner/plans"
)

// secret is in every sensitive value of the fixtures; no view may show it.
const secret = "s3cr3t"

var (
	fileProvider = addrs.Provider{Name: "file"}
	k8sProvider  = addrs.Provider{Name: "kubernetes", Alias: "prod"}
	stamp        = time.Date(2026, 3, 1, 12, 30, 45, 0, time.UTC)
)

func managed(typ, name string, key addrs.InstanceKey) addrs.ResourceInstance {
	return addrs.Resource{Kind: addrs.Managed, Type: typ, Name: name}.Instance(key)
}

func obj(attrs map[string]cty.Value) cty.Value { return cty.ObjectVal(attrs) }
func str(s string) cty.Value                   { return cty.StringVal(s) }

func plan(changes ...*plans.ResourceChange) *plans.Plan {
	return &plans.Plan{
		Mode:           plans.NormalMode,
		SlipwayVersion: "0.4.0",
		Timestamp:      stamp,
		Changes:        changes,
		PriorLineage:   "3f2a9c1e-lineage",
		PriorSerial:    7,
		Refresh:        true,
	}
}

// Each fixture is one case of the golden tests.

func createPlan() *plans.Plan {
	return plan(&plans.ResourceChange{
		Addr:     managed("file", "a", addrs.NoKey),
		Provider: fileProvider,
		Type:     "file",
		Action:   plans.Create,
		Reason:   plans.ReasonNew,
		Before:   cty.NullVal(cty.DynamicPseudoType),
		After: obj(map[string]cty.Value{
			"path":    str("out/a.txt"),
			"content": str("hello\nworld\n"),
			"id":      cty.UnknownVal(cty.String),
			"mode":    cty.NumberIntVal(420),
			"exec":    cty.False,
			"unset":   cty.NullVal(cty.String),
			"meta": obj(map[string]cty.Value{
				"owner":   str("web-team"),
				"labels":  cty.MapVal(map[string]cty.Value{"app": str("web"), "tier": str("front")}),
				"checked": cty.UnknownVal(cty.Bool),
			}),
			"mirrors": cty.ListVal([]cty.Value{str("eu"), str("us")}),
		}),
	})
}

func updatePlan() *plans.Plan {
	before := obj(map[string]cty.Value{
		"path":    str("out/b.txt"),
		"content": str("v1"),
		"mode":    cty.NumberIntVal(420),
		"owner":   str("web"),
	})
	after := obj(map[string]cty.Value{
		"path":    str("out/b.txt"),
		"content": str("v2"),
		"mode":    cty.NumberIntVal(420),
		"owner":   str("web"),
	})
	return plan(&plans.ResourceChange{
		Addr: managed("file", "b", addrs.StringKey("eu")), Provider: fileProvider, Type: "file",
		Action: plans.Update, Reason: plans.ReasonConfigChanged, Before: before, After: after,
	})
}

func collectionsPlan() *plans.Plan {
	container := func(name, image string) cty.Value {
		return obj(map[string]cty.Value{"name": str(name), "image": str(image), "port": cty.NumberIntVal(8080)})
	}
	before := obj(map[string]cty.Value{
		"args":       cty.ListVal([]cty.Value{str("--a"), str("--b"), str("--c"), str("--d")}),
		"env":        cty.MapVal(map[string]cty.Value{"LOG": str("info"), "MODE": str("prod"), "OLD": str("x")}),
		"ports":      cty.SetVal([]cty.Value{cty.NumberIntVal(80), cty.NumberIntVal(443)}),
		"containers": cty.ListVal([]cty.Value{container("web", "web:1"), container("sidecar", "envoy:1")}),
		"script":     str("#!/bin/sh\nset -e\necho one\necho two\necho three\necho four\necho five\nexit 0\n"),
		"tags":       cty.ListVal([]cty.Value{str("a")}),
		"weight":     cty.NumberIntVal(10),
	})
	after := obj(map[string]cty.Value{
		"args":       cty.ListVal([]cty.Value{str("--a"), str("--x"), str("--c"), str("--d"), str("--e")}),
		"env":        cty.MapVal(map[string]cty.Value{"LOG": str("debug"), "MODE": str("prod"), "NEW": str("y")}),
		"ports":      cty.SetVal([]cty.Value{cty.NumberIntVal(80), cty.NumberIntVal(8443)}),
		"containers": cty.ListVal([]cty.Value{container("web", "web:2"), container("sidecar", "envoy:1")}),
		"script":     str("#!/bin/sh\nset -eu\necho one\necho two\necho three\necho four\necho five\nexit 0\n"),
		"tags":       cty.UnknownVal(cty.List(cty.String)),
		"weight":     cty.NumberFloatVal(12.5),
	})
	return plan(&plans.ResourceChange{
		Addr: managed("workload", "web", addrs.NoKey), Provider: addrs.Provider{Name: "workload"}, Type: "workload",
		Action: plans.Update, Reason: plans.ReasonConfigChanged, Before: before, After: after,
	})
}

func replacePlan() *plans.Plan {
	return plan(
		&plans.ResourceChange{
			Addr: managed("file", "c", addrs.IntKey(0)), Provider: fileProvider, Type: "file",
			Action: plans.DeleteThenCreate, Reason: plans.ReasonReplaceAttrs,
			Before:          obj(map[string]cty.Value{"path": str("out/c.txt"), "content": str("x"), "id": str("c-1")}),
			After:           obj(map[string]cty.Value{"path": str("out/c2.txt"), "content": str("x"), "id": cty.UnknownVal(cty.String)}),
			RequiresReplace: []cty.Path{cty.GetAttrPath("path")},
		},
		&plans.ResourceChange{
			Addr: managed("file", "c", addrs.IntKey(1)), Provider: fileProvider, Type: "file",
			Action: plans.CreateThenDelete, Reason: plans.ReasonReplaceRequested,
			Before: obj(map[string]cty.Value{"path": str("out/c1.txt"), "id": str("c-2")}),
			After:  obj(map[string]cty.Value{"path": str("out/c1.txt"), "id": cty.UnknownVal(cty.String)}),
		},
		&plans.ResourceChange{
			Addr: managed("file", "c", addrs.IntKey(2)), Provider: fileProvider, Type: "file",
			Action: plans.DeleteThenCreate, Reason: plans.ReasonTainted,
			Before: obj(map[string]cty.Value{"path": str("out/c3.txt"), "id": str("c-3")}),
			After:  obj(map[string]cty.Value{"path": str("out/c3.txt"), "id": cty.UnknownVal(cty.String)}),
		},
	)
}

func deletePlan() *plans.Plan {
	p := plan(
		&plans.ResourceChange{
			Addr: managed("file", "d", addrs.NoKey), Provider: fileProvider, Type: "file",
			Action: plans.Delete, Reason: plans.ReasonRemoved,
			Before: obj(map[string]cty.Value{
				"path":    str("out/d.txt"),
				"content": str("bye"),
				"meta":    obj(map[string]cty.Value{"owner": str("web"), "none": cty.NullVal(cty.String)}),
				"unset":   cty.NullVal(cty.String),
			}),
			After: cty.NullVal(cty.DynamicPseudoType),
		},
		&plans.ResourceChange{
			Addr: managed("file", "e", addrs.IntKey(3)), Provider: fileProvider, Type: "file",
			Action: plans.Delete, Reason: plans.ReasonCountIndex,
			Before: obj(map[string]cty.Value{"path": str("out/e3.txt")}),
			After:  cty.NullVal(cty.DynamicPseudoType),
		},
		&plans.ResourceChange{
			Addr: managed("file", "f", addrs.StringKey("us")), Provider: fileProvider, Type: "file",
			Action: plans.Delete, Reason: plans.ReasonEachKey,
			Before: obj(map[string]cty.Value{"path": str("out/f-us.txt")}),
			After:  cty.NullVal(cty.DynamicPseudoType),
		},
	)
	return p
}

func sensitivePlan() *plans.Plan {
	p := plan(
		&plans.ResourceChange{
			Addr: managed("secret", "db", addrs.NoKey), Provider: addrs.Provider{Name: "vault"}, Type: "secret",
			Action: plans.Update, Reason: plans.ReasonConfigChanged,
			Before: obj(map[string]cty.Value{
				"name":     str("db"),
				"password": str(secret + "-old"),
				"data":     cty.MapVal(map[string]cty.Value{"user": str("app"), "token": str(secret + "-token-old")}),
				"note":     str("line one " + secret + "\nline two\n"),
			}),
			After: obj(map[string]cty.Value{
				"name":     str("db"),
				"password": str(secret + "-new"),
				"data":     cty.MapVal(map[string]cty.Value{"user": str("app2"), "token": str(secret + "-token-new")}),
				"note":     str("line one " + secret + "\nline 2\n"),
			}),
			BeforeSensitive: []cty.Path{cty.GetAttrPath("password"), cty.GetAttrPath("data").IndexString("token"), cty.GetAttrPath("note")},
			AfterSensitive:  []cty.Path{cty.GetAttrPath("password"), cty.GetAttrPath("data").IndexString("token"), cty.GetAttrPath("note")},
			RequiresReplace: []cty.Path{cty.GetAttrPath("password")},
		},
		&plans.ResourceChange{
			Addr: managed("secret", "api", addrs.NoKey), Provider: addrs.Provider{Name: "vault"}, Type: "secret",
			Action: plans.Create, Reason: plans.ReasonNew,
			Before: cty.NullVal(cty.DynamicPseudoType),
			After: obj(map[string]cty.Value{
				"name":  str("api"),
				"keys":  cty.ListVal([]cty.Value{str("public"), str(secret + "-key")}),
				"whole": obj(map[string]cty.Value{"a": str(secret + "-a"), "b": str(secret + "-b")}),
			}),
			// A string index step into an object must mask like an
			// attribute step.
			AfterSensitive: []cty.Path{cty.GetAttrPath("keys").IndexInt(1), cty.IndexStringPath("whole")},
		},
	)
	p.Outputs = []*plans.OutputChange{
		{Name: "db_password", Action: plans.Update, Before: str(secret + "-old"), After: str(secret + "-new"), Sensitive: true},
	}
	return p
}

func pipelinePlan() *plans.Plan {
	return plan(&plans.ResourceChange{
		Addr:         addrs.Resource{Kind: addrs.Pipeline, Name: "myapp"}.Instance(addrs.NoKey),
		Provider:     addrs.Provider{Name: "slipway"},
		Action:       plans.Run,
		Reason:       plans.ReasonInputsChanged,
		ReasonDetail: "source.git.app moved 1a2b3c4 -> 9f8e7d6",
		Before: obj(map[string]cty.Value{
			"commit": str("1a2b3c4"),
			"stages": cty.ListVal([]cty.Value{str("test"), str("build")}),
			"image":  obj(map[string]cty.Value{"tag": str("1a2b3c4"), "digest": str("sha256:aaaa")}),
		}),
		After: obj(map[string]cty.Value{
			"commit": str("9f8e7d6"),
			"stages": cty.ListVal([]cty.Value{str("test"), str("build")}),
			"image":  obj(map[string]cty.Value{"tag": str("9f8e7d6"), "digest": cty.UnknownVal(cty.String)}),
		}),
	})
}

func deployment(image string, replicas int64) cty.Value {
	return obj(map[string]cty.Value{
		"metadata": obj(map[string]cty.Value{"name": str("web"), "namespace": str("web")}),
		"spec": obj(map[string]cty.Value{
			"replicas": cty.NumberIntVal(replicas),
			"template": obj(map[string]cty.Value{
				"spec": obj(map[string]cty.Value{
					"containers": cty.TupleVal([]cty.Value{obj(map[string]cty.Value{"name": str("web"), "image": image2(image)})}),
				}),
			}),
		}),
	})
}

func image2(s string) cty.Value {
	if s == "" {
		return cty.UnknownVal(cty.String)
	}
	return str(s)
}

func appPlan() *plans.Plan {
	return plan(&plans.ResourceChange{
		Addr:     addrs.Resource{Kind: addrs.App, Name: "web"}.Instance(addrs.NoKey),
		Provider: k8sProvider,
		Action:   plans.Update,
		Reason:   plans.ReasonConfigChanged,
		Before:   obj(map[string]cty.Value{"revision": str("1a2b3c4"), "namespace": str("web"), "prune": cty.True}),
		After:    obj(map[string]cty.Value{"revision": cty.UnknownVal(cty.String), "namespace": str("web"), "prune": cty.True}),
		Nested: []*plans.NestedChange{
			{
				Address: "apps/v1 Deployment web/web", Action: plans.Update, Reason: plans.ReasonConfigChanged,
				Before: deployment("127.0.0.1:5000/myuser/myapp:1a2b3c4", 2),
				After:  deployment("", 2),
			},
			{
				Address: "v1 Service web/web", Action: plans.Create, Reason: plans.ReasonNew,
				Before: cty.NullVal(cty.DynamicPseudoType),
				After: obj(map[string]cty.Value{
					"metadata": obj(map[string]cty.Value{"name": str("web"), "namespace": str("web")}),
					"spec":     obj(map[string]cty.Value{"ports": cty.TupleVal([]cty.Value{obj(map[string]cty.Value{"port": cty.NumberIntVal(80)})})}),
				}),
			},
			{
				Address: "v1 ConfigMap web/old-config", Action: plans.Delete, Reason: plans.ReasonRemoved,
				Before: obj(map[string]cty.Value{
					"metadata": obj(map[string]cty.Value{"name": str("old-config"), "namespace": str("web")}),
					"data":     cty.MapVal(map[string]cty.Value{"key": str("value")}),
				}),
				After: cty.NullVal(cty.DynamicPseudoType),
			},
			{Address: "v1 ServiceAccount web/web", Action: plans.NoOp},
		},
	})
}

func driftPlan() *plans.Plan {
	p := plan(&plans.ResourceChange{
		Addr: managed("file", "a", addrs.NoKey), Provider: fileProvider, Type: "file",
		Action: plans.Update, Reason: plans.ReasonDrift,
		Before: obj(map[string]cty.Value{"path": str("out/a.txt"), "content": str("edited by hand")}),
		After:  obj(map[string]cty.Value{"path": str("out/a.txt"), "content": str("hello")}),
	}, &plans.ResourceChange{
		Addr: managed("file", "gone", addrs.NoKey), Provider: fileProvider, Type: "file",
		Action: plans.Create, Reason: plans.ReasonDeletedOutside,
		Before: cty.NullVal(cty.DynamicPseudoType),
		After:  obj(map[string]cty.Value{"path": str("out/gone.txt"), "content": str("back")}),
	})
	p.Drift = []*plans.ResourceChange{
		{
			Addr: managed("file", "a", addrs.NoKey), Provider: fileProvider, Type: "file",
			Action: plans.Update, Reason: plans.ReasonDrift,
			Before: obj(map[string]cty.Value{"path": str("out/a.txt"), "content": str("hello")}),
			After:  obj(map[string]cty.Value{"path": str("out/a.txt"), "content": str("edited by hand")}),
		},
		{
			Addr: managed("file", "gone", addrs.NoKey), Provider: fileProvider, Type: "file",
			Action: plans.Delete,
			Before: obj(map[string]cty.Value{"path": str("out/gone.txt"), "content": str("back")}),
			After:  cty.NullVal(cty.DynamicPseudoType),
		},
	}
	return p
}

func noChangesPlan() *plans.Plan {
	v := obj(map[string]cty.Value{"path": str("out/a.txt")})
	p := plan(&plans.ResourceChange{
		Addr: managed("file", "a", addrs.NoKey), Provider: fileProvider, Type: "file",
		Action: plans.NoOp, Before: v, After: v,
	})
	p.Outputs = []*plans.OutputChange{{Name: "path", Action: plans.NoOp, Before: str("out/a.txt"), After: str("out/a.txt")}}
	return p
}

func noChangesDriftPlan() *plans.Plan {
	p := noChangesPlan()
	p.Drift = []*plans.ResourceChange{{
		Addr: managed("file", "a", addrs.NoKey), Provider: fileProvider, Type: "file",
		Action: plans.Update, Reason: plans.ReasonDrift,
		Before: obj(map[string]cty.Value{"path": str("out/a.txt"), "mode": cty.NumberIntVal(420)}),
		After:  obj(map[string]cty.Value{"path": str("out/a.txt"), "mode": cty.NumberIntVal(384)}),
	}}
	return p
}

func outputsPlan() *plans.Plan {
	p := plan(&plans.ResourceChange{
		Addr: managed("file", "a", addrs.NoKey), Provider: fileProvider, Type: "file",
		Action: plans.Create, Reason: plans.ReasonNew,
		Before: cty.NullVal(cty.DynamicPseudoType),
		After:  obj(map[string]cty.Value{"path": str("out/a.txt"), "id": cty.UnknownVal(cty.String)}),
	})
	p.Outputs = []*plans.OutputChange{
		{Name: "file_id", Action: plans.Create, Before: cty.NullVal(cty.String), After: cty.UnknownVal(cty.String)},
		{Name: "old", Action: plans.Delete, Before: str("x"), After: cty.NullVal(cty.String)},
		{Name: "same", Action: plans.NoOp, Before: str("y"), After: str("y")},
		{Name: "token", Action: plans.Create, Before: cty.NullVal(cty.String), After: str(secret), Sensitive: true},
		{Name: "urls", Action: plans.Update,
			Before: cty.ListVal([]cty.Value{str("http://a")}),
			After:  cty.ListVal([]cty.Value{str("http://a"), str("http://b")})},
	}
	return p
}

func outputsOnlyPlan() *plans.Plan {
	p := noChangesPlan()
	p.Outputs = []*plans.OutputChange{{Name: "path", Action: plans.Update, Before: str("out/a.txt"), After: str("out/b.txt")}}
	return p
}

func destroyPlan() *plans.Plan {
	p := deletePlan()
	p.Mode = plans.DestroyMode
	for _, c := range p.Changes {
		c.Reason = plans.ReasonDestroy
	}
	return p
}

func refreshOnlyPlan() *plans.Plan {
	p := noChangesDriftPlan()
	p.Mode = plans.RefreshOnlyMode
	return p
}

func erroredPlan() *plans.Plan {
	p := updatePlan()
	p.Errored = true
	return p
}

// erroredEmptyPlan is a plan that failed before it planned any change:
// a provider that did not start, say.
func erroredEmptyPlan() *plans.Plan {
	p := plan()
	p.Errored = true
	return p
}

// erroredDestroyPlan is a destroy plan that failed before it planned any
// deletion, while state holds objects.
func erroredDestroyPlan() *plans.Plan {
	p := erroredEmptyPlan()
	p.Mode = plans.DestroyMode
	return p
}

func combinedPlan() *plans.Plan {
	p := plan()
	for _, part := range []*plans.Plan{createPlan(), updatePlan(), replacePlan(), deletePlan(), pipelinePlan(), appPlan(), sensitivePlan()} {
		p.Changes = append(p.Changes, part.Changes...)
		p.Outputs = append(p.Outputs, part.Outputs...)
	}
	p.Drift = driftPlan().Drift
	p.Variables = map[string]cty.Value{"region": str("eu-west-1"), "replicas": cty.NumberIntVal(3)}
	return p
}

// cases are the golden cases, by name; each renders to every view.
var cases = map[string]func() *plans.Plan{
	"create":            createPlan,
	"update":            updatePlan,
	"collections":       collectionsPlan,
	"replace":           replacePlan,
	"delete":            deletePlan,
	"sensitive":         sensitivePlan,
	"pipeline":          pipelinePlan,
	"app":               appPlan,
	"drift":             driftPlan,
	"no-changes":        noChangesPlan,
	"no-changes-drift":  noChangesDriftPlan,
	"outputs":           outputsPlan,
	"outputs-only":      outputsOnlyPlan,
	"destroy":           destroyPlan,
	"refresh-only":      refreshOnlyPlan,
	"errored":           erroredPlan,
	"errored-empty":     erroredEmptyPlan,
	"errored-destroy":   erroredDestroyPlan,
	"combined":          combinedPlan,
	"workspace":         workspacePlan,
	"partial":           partialPlan,
	"rollout-start":     rolloutStartPlan,
	"rollout-continue":  rolloutContinuePlan,
	"rollout-supersede": rolloutSupersedePlan,
	"rollout-hold":      rolloutHoldPlan,
	"rollout-sensitive": rolloutSensitivePlan,
}

// workspacePlan is createPlan made in a workspace other than the default.
func workspacePlan() *plans.Plan {
	p := createPlan()
	p.Workspace = "prod-eu-1"
	return p
}

// partialPlan is updatePlan made with -target and -exclude.
func partialPlan() *plans.Plan {
	p := updatePlan()
	p.Targets = []string{`file.b["eu"]`, "app.web"}
	p.Excludes = []string{"file.c"}
	return p
}

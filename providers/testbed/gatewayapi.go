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

package testbed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// gatewayAPIModule is the Go module whose standard-channel CRDs
// GatewayAPICRDs reads; go.mod pins its version.
const gatewayAPIModule = "sigs.k8s.io/gateway-api"

// crdResource is the resource of CustomResourceDefinitions.
var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// gatewayAPI caches the CRDs once read.
var gatewayAPI struct {
	once sync.Once
	crds []*unstructured.Unstructured
	err  error
}

// GatewayAPICRDs returns the Gateway API's standard-channel
// CustomResourceDefinitions (GatewayClass, Gateway, HTTPRoute, GRPCRoute,
// ReferenceGrant, ...), read from config/crd/standard of the version of
// sigs.k8s.io/gateway-api that slipway's go.mod requires, in the module
// cache. Each call returns copies the caller may change.
func GatewayAPICRDs() ([]*unstructured.Unstructured, error) {
	gatewayAPI.once.Do(func() { gatewayAPI.crds, gatewayAPI.err = readGatewayAPICRDs() })
	if gatewayAPI.err != nil {
		return nil, gatewayAPI.err
	}
	out := make([]*unstructured.Unstructured, len(gatewayAPI.crds))
	for i, u := range gatewayAPI.crds {
		out[i] = u.DeepCopy()
	}
	return out, nil
}

func readGatewayAPICRDs() ([]*unstructured.Unstructured, error) {
	dir, err := gatewayAPIDir()
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "config", "crd", "standard", "*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no CRDs in %s/config/crd/standard (%v)", dir, err)
	}
	sort.Strings(files)
	var crds []*unstructured.Unstructured
	for _, f := range files {
		objs, err := readObjects(f)
		if err != nil {
			return nil, err
		}
		for _, u := range objs {
			// The channel also holds a ValidatingAdmissionPolicy that
			// guards upgrades; the tests need the APIs only.
			if u.GetKind() != "CustomResourceDefinition" {
				continue
			}
			if g, _, _ := unstructured.NestedString(u.Object, "spec", "group"); g != gatewayv1.GroupName {
				return nil, fmt.Errorf("%s: a CRD of group %q, not %s", f, g, gatewayv1.GroupName)
			}
			crds = append(crds, u)
		}
	}
	return crds, nil
}

// gatewayAPIDir is the module's directory in the module cache,
// downloaded when missing. The version is the one linked into this
// binary (the testbed imports the module's API types, so go.mod keeps
// requiring it) when the binary records it; a test binary does not, and
// then the go command reads it from the go.mod of the working directory,
// a package directory of slipway's module.
func gatewayAPIDir() (string, error) {
	version := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == gatewayAPIModule {
				version = m.Version
				if m.Replace != nil {
					if m.Replace.Version == "" {
						return m.Replace.Path, nil // a local directory
					}
					version = m.Replace.Version
				}
			}
		}
	}
	target := gatewayAPIModule
	if version != "" && version != "(devel)" {
		target += "@" + version
	}
	cmd := exec.Command("go", "mod", "download", "-json", target)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && stderr.Len() > 0 {
		err = fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var mod struct {
		Dir   string
		Error string
	}
	if jerr := json.Unmarshal(out, &mod); jerr != nil && err == nil {
		err = jerr
	}
	if mod.Error != "" {
		err = errors.New(mod.Error)
	}
	if err != nil || mod.Dir == "" {
		return "", fmt.Errorf("find the Gateway API CRDs: go mod download %s: %v\n"+
			"The testbed reads them from the Go module %s in the module cache, at the version slipway's go.mod requires; "+
			"this needs the go command on PATH, the Go module proxy, and (for a test binary) a working directory inside slipway's module", target, err, gatewayAPIModule)
	}
	return mod.Dir, nil
}

// readObjects reads the objects of a YAML file of one or more documents.
func readObjects(path string) ([]*unstructured.Unstructured, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	var out []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
}

// InstallGatewayAPI applies the Gateway API's standard CRDs to the
// cluster of cfg (server-side, so installing them again, from another
// test of the same shared cluster, is harmless) and returns once the API
// server serves every one of them (their Established condition).
func InstallGatewayAPI(ctx context.Context, cfg *rest.Config) error {
	crds, err := GatewayAPICRDs()
	if err != nil {
		return err
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("install the Gateway API: %w", err)
	}
	ri := client.Resource(crdResource)
	force := true
	for _, crd := range crds {
		data, err := json.Marshal(crd.Object)
		if err != nil {
			return fmt.Errorf("install %s: %w", crd.GetName(), err)
		}
		if _, err := ri.Patch(ctx, crd.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{FieldManager: "slipway-testbed", Force: &force}); err != nil {
			return fmt.Errorf("install %s: %w", crd.GetName(), err)
		}
	}
	for _, crd := range crds {
		if err := waitEstablished(ctx, ri, crd.GetName()); err != nil {
			return err
		}
	}
	return nil
}

// waitEstablished waits until the API server serves the resource of the
// CustomResourceDefinition name, as `kubectl wait --for
// condition=Established` does.
func waitEstablished(ctx context.Context, ri dynamic.ResourceInterface, name string) error {
	var last string
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		crd, err := ri.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		for _, c := range conds {
			c, _ := c.(map[string]any)
			if c["type"] == "Established" {
				if c["status"] == "True" {
					return true, nil
				}
				last = fmt.Sprintf("%v: %v", c["reason"], c["message"])
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("CustomResourceDefinition %s is not established: %w (%s)", name, err, strings.TrimSpace(last))
	}
	return nil
}

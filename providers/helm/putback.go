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

package helm

import (
	"context"
	"fmt"
	"sort"
	"sync"

	helmkube "helm.sh/helm/v3/pkg/kube"
	"helm.sh/helm/v3/pkg/release"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/resource"

	"slipway.dev/slipway/providers/internal/kube"
)

// mergedTwoWay reports whether Helm's upgrade patches obj, of mapping m,
// with a two-way JSON merge of the release's old and new manifests
// rather than a three-way merge with the live object: the objects Helm's
// kube client cannot convert to a type of its Kubernetes scheme (custom
// resources), and v1beta1 CRDs. It asks helm's own converter, as
// pkg/kube's createPatch does. Such a patch never sees the live object,
// so an upgrade of an unchanged chart leaves a hand edit as it is.
func mergedTwoWay(obj map[string]any, m *meta.RESTMapping) bool {
	gvk := m.GroupVersionKind
	if gvk.Group == "apiextensions.k8s.io" && gvk.Version == "v1beta1" && gvk.Kind == "CustomResourceDefinition" {
		return true
	}
	u := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(obj)}
	_, ok := helmkube.AsVersioned(&resource.Info{Object: u, Mapping: m}).(runtime.Unstructured)
	return ok
}

// putBack puts back, after Helm upgraded rel, the fields its manifest
// sets on each object Helm merged two-way (mergedTwoWay) that the
// upgrade left different from the manifest: edited or removed by hand
// since the last revision, which Helm's patch, made from the old and new
// manifests alone, did not see. The plan showed them as drift and
// planned this upgrade for them; without this, the drift would stay and
// every plan would upgrade again. It returns the IDs of the objects put
// back, sorted.
//
// An object is put back by server-side apply of its manifest, forced,
// as kube.FieldManager: the very request the plan dry-ran, so the object
// becomes what the plan showed (server defaults, and the list-maps of
// the CRD's schema merged by key, not replaced). It sets the fields the
// chart renders and nothing else: a field someone added that the chart
// does not set stays, as it would with Helm's three-way merge. A JSON
// merge patch from the live object to the manifest was the other way,
// but it replaces whole lists, elements others own included, and would
// need its own diff of what the server compares anyway. As for field
// ownership: the fields put back leave the hand edit's manager and are
// slipway's. Helm v3 upgrades and rollbacks patch or replace, which are
// update operations: they never conflict with an apply entry and take
// over the fields they change, so the next upgrade, slipway's or the
// helm CLI's, works as it did, and what it changes is Helm's again.
// Objects without drift are left alone, so a release nobody edited keeps
// Helm's ownership only.
func putBack(ctx context.Context, ms *kube.Mappings, rel *release.Release) ([]string, error) {
	if rel == nil {
		return nil, nil
	}
	objs, err := splitManifest(ms, rel.Manifest, rel.Namespace)
	if err != nil {
		return nil, fmt.Errorf("release %s revision %d: %w", rel.Name, rel.Version, err)
	}
	var (
		mu   sync.Mutex
		done []string
		jobs []func(context.Context) error
	)
	for _, o := range objs {
		if o.unknownKind {
			continue
		}
		m, err := ms.Mapping(o.id.GVK())
		if err != nil {
			return nil, fmt.Errorf("look up kind of %s: %w", o.id, err)
		}
		if !mergedTwoWay(o.obj, m) {
			continue
		}
		jobs = append(jobs, func(ctx context.Context) error {
			live, err := get(ctx, ms, o)
			if err != nil || live == nil {
				return err
			}
			want, err := ms.Apply(ctx, o.id, o.obj, true)
			if err != nil {
				return fmt.Errorf("%s: server-side apply dry-run: %w", o.id, err)
			}
			lv, err := kube.ToCty(normalise(live.Object, o.obj))
			if err != nil {
				return fmt.Errorf("%s: %w", o.id, err)
			}
			wv, err := kube.ToCty(normalise(want.Object, o.obj))
			if err != nil {
				return fmt.Errorf("%s: %w", o.id, err)
			}
			if kube.SameValue(lv, wv) {
				return nil
			}
			if _, err := ms.Apply(ctx, o.id, o.obj, false); err != nil {
				return fmt.Errorf("%s: server-side apply: %w", o.id, err)
			}
			mu.Lock()
			done = append(done, o.id.String())
			mu.Unlock()
			return nil
		})
	}
	err = kube.RunEach(ctx, dryRunParallelism, jobs)
	sort.Strings(done)
	return done, err
}

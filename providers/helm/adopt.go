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
	"strings"

	"github.com/zclconf/go-cty/cty"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/providers/internal/kube"
)

// adoption is what an install takes over from Argo CD or Flux (adopt):
// the rendered objects that exist live and carry the tool's tracking for
// the Application or Kustomization.
type adoption struct {
	// values are the adopted objects by ID as they are live, limited to
	// the fields the chart renders, as a plan shows them.
	values map[string]cty.Value
	// marks are the tracking marks to remove from each adopted object
	// after the install: the tool's, less those the chart sets itself.
	marks map[string][]string
	ids   map[string]kube.ObjectID
	// tracked are the adopted objects that keep a tracking mark, one
	// the chart sets itself, sorted (kube.TrackingKept).
	tracked []string
}

// notAdoptableError lists rendered objects that exist live but are
// neither the adopted Application's nor Helm's for this release: Helm's
// install refuses them, and taking them over would take someone else's
// objects.
type notAdoptableError struct {
	release, namespace string
	from               kube.Adoption
	ids                []string
}

func (e *notAdoptableError) Error() string {
	return fmt.Sprintf("release %q in namespace %s would take over objects that exist but do not carry the tracking of %s, nor Helm's ownership of this release:\n  %s\nHelm refuses to install over them. If they are that Application's, check the adopt block's name; otherwise delete or rename them, or leave them out of the chart.",
		e.release, e.namespace, e.from.Describe(), strings.Join(e.ids, "\n  "))
}

// findAdoptions reads the live objects of objs (a release's rendered
// objects, never installed) and returns those an install adopts; a
// *notAdoptableError when some exist that it may not take over.
func findAdoptions(ctx context.Context, ms *kube.Mappings, c releaseConfig, objs []*manifestObject) (*adoption, error) {
	live, err := getAll(ctx, ms, objs)
	if err != nil {
		return nil, err
	}
	a := &adoption{values: map[string]cty.Value{}, marks: map[string][]string{}, ids: map[string]kube.ObjectID{}}
	var foreign []string
	for i, o := range objs {
		lv := live[i]
		if lv == nil {
			continue
		}
		key := o.id.String()
		m := c.Adopt.Marks(lv, o.id)
		if len(m) == 0 {
			if !helmOwned(lv, c.Name, c.Namespace) {
				foreign = append(foreign, key)
			}
			continue
		}
		v, err := kube.ToCty(normalise(lv.Object, o.obj))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		a.values[key] = v
		a.marks[key] = kube.MarksToDrop(m, o.obj)
		a.ids[key] = o.id
		if len(a.marks[key]) < len(m) {
			a.tracked = append(a.tracked, key)
		}
	}
	sort.Strings(a.tracked)
	if len(foreign) > 0 {
		return nil, &notAdoptableError{release: c.Name, namespace: c.Namespace, from: c.Adopt, ids: foreign}
	}
	return a, nil
}

// helmOwned reports whether live carries Helm's ownership of release
// name in namespace ns, which Helm's install accepts by itself.
func helmOwned(live *unstructured.Unstructured, name, ns string) bool {
	ann := live.GetAnnotations()
	return live.GetLabels()["app.kubernetes.io/managed-by"] == "Helm" &&
		ann[helmMarks[0]] == name && ann[helmMarks[1]] == ns
}

// value is the adopted objects as the "adopted" attribute holds them;
// null when there are none.
func (a *adoption) value() cty.Value {
	if a == nil || len(a.values) == 0 {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return kube.ObjectsVal(a.values)
}

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

package kubernetes

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"slipway.dev/slipway/internal/rolloutspec"
	"slipway.dev/slipway/providers/internal/kube"
)

// NGINX ingress's canary annotations.
const (
	nginxCanary       = "nginx.ingress.kubernetes.io/canary"
	nginxCanaryWeight = "nginx.ingress.kubernetes.io/canary-weight"
)

func (x *rolloutRun) routeID() kube.ObjectID {
	return kube.ObjectID{Group: "gateway.networking.k8s.io", Version: "v1", Kind: "HTTPRoute", Namespace: x.w.id.Namespace, Name: x.spec.Canary.Traffic.Route}
}

func (x *rolloutRun) ingressID() kube.ObjectID {
	return kube.ObjectID{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress", Namespace: x.w.id.Namespace, Name: x.spec.Canary.Traffic.Ingress}
}

func (x *rolloutRun) canaryIngressID() kube.ObjectID {
	id := x.ingressID()
	id.Name += "-canary"
	return id
}

// checkTraffic makes sure the route or Ingress a canary steers exists,
// before anything moves.
func checkTraffic(ctx context.Context, ms *kube.Mappings, spec *rolloutspec.Spec, namespace string, desired map[string]*desiredObject) error {
	if spec.Canary == nil {
		return nil
	}
	x := &rolloutRun{spec: spec, w: &desiredObject{id: kube.ObjectID{Namespace: namespace}}}
	var id kube.ObjectID
	switch spec.Canary.Traffic.Kind {
	case rolloutspec.TrafficGatewayAPI:
		id = x.routeID()
	case rolloutspec.TrafficNginx:
		id = x.ingressID()
	default:
		return nil
	}
	if desired[id.String()] != nil {
		return nil
	}
	ri, _, err := ms.Resource(id)
	if err != nil {
		return fmt.Errorf("the rollout steers %s %s/%s, which this cluster does not serve: %w", id.Kind, id.Namespace, id.Name, err)
	}
	if _, err := ri.Get(ctx, id.Name, metav1.GetOptions{}); err != nil {
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("the rollout steers %s %s/%s, which does not exist: add it to the app's manifests or name an existing one", id.Kind, id.Namespace, id.Name)
		}
		return err
	}
	return nil
}

// setTraffic sends weight percent of the requests to the canary.
func (x *rolloutRun) setTraffic(ctx context.Context, weight int) error {
	switch x.spec.Canary.Traffic.Kind {
	case rolloutspec.TrafficGatewayAPI:
		return x.setRouteWeights(ctx, weight)
	case rolloutspec.TrafficNginx:
		return x.setIngressWeight(ctx, weight)
	}
	return nil
}

// restoreTraffic puts the route back as it was before the rollout, or
// removes the canary Ingress.
func (x *rolloutRun) restoreTraffic(ctx context.Context) error {
	switch x.spec.Canary.Traffic.Kind {
	case rolloutspec.TrafficGatewayAPI:
		return x.restoreRoute(ctx)
	case rolloutspec.TrafficNginx:
		return nil // the canary Ingress is deleted with the canary
	}
	return nil
}

// setRouteWeights sets, in each rule of the HTTPRoute that sends to the
// stable Service, the stable and canary backendRefs' weights. The rules'
// backendRefs as they were are kept in an annotation to restore.
func (x *rolloutRun) setRouteWeights(ctx context.Context, weight int) error {
	svc, err := x.stableService(ctx)
	if err != nil {
		return err
	}
	canary := x.canaryService(svc)
	id := x.routeID()
	ri, _, err := x.r.ms.Resource(id)
	if err != nil {
		return err
	}
	return conflictRetry(func() error {
		u, err := ri.Get(ctx, id.Name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("read HTTPRoute %s/%s: %w", id.Namespace, id.Name, err)
		}
		rules, _, _ := unstructured.NestedSlice(u.Object, "spec", "rules")
		ann := u.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		if _, kept := ann[annRouteWeights]; !kept {
			var refs []any
			for _, r := range rules {
				rm, _ := r.(map[string]any)
				refs = append(refs, rm["backendRefs"])
			}
			b, _ := json.Marshal(refs)
			ann[annRouteWeights] = string(b)
		}
		touched := false
		for _, r := range rules {
			rm, ok := r.(map[string]any)
			if !ok {
				continue
			}
			refs, _ := rm["backendRefs"].([]any)
			var stableRef map[string]any
			var out []any
			for _, ref := range refs {
				m, ok := ref.(map[string]any)
				if !ok {
					out = append(out, ref)
					continue
				}
				switch m["name"] {
				case svc:
					stableRef = m
				case canary:
					continue
				}
				out = append(out, ref)
			}
			if stableRef == nil {
				continue
			}
			touched = true
			stableRef["weight"] = int64(100 - weight)
			c := map[string]any{}
			for k, v := range stableRef {
				c[k] = v
			}
			c["name"], c["weight"] = canary, int64(weight)
			out = append(out, c)
			rm["backendRefs"] = out
		}
		if !touched {
			return fmt.Errorf("HTTPRoute %s/%s has no rule that sends to Service %s: the canary's weight cannot be set", id.Namespace, id.Name, svc)
		}
		_ = unstructured.SetNestedSlice(u.Object, rules, "spec", "rules")
		u.SetAnnotations(ann)
		_, err = ri.Update(ctx, u, metav1.UpdateOptions{FieldManager: rolloutManager})
		return err
	})
}

// restoreRoute gives the HTTPRoute its backendRefs from before the
// rollout.
func (x *rolloutRun) restoreRoute(ctx context.Context) error {
	id := x.routeID()
	ri, _, err := x.r.ms.Resource(id)
	if err != nil {
		return err
	}
	err = conflictRetry(func() error {
		u, err := ri.Get(ctx, id.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		ann := u.GetAnnotations()
		kept, ok := ann[annRouteWeights]
		if !ok {
			return nil
		}
		var refs []any
		if err := json.Unmarshal([]byte(kept), &refs); err != nil {
			return fmt.Errorf("read the backendRefs kept on HTTPRoute %s/%s: %w", id.Namespace, id.Name, err)
		}
		rules, _, _ := unstructured.NestedSlice(u.Object, "spec", "rules")
		for i, r := range rules {
			rm, ok := r.(map[string]any)
			if !ok || i >= len(refs) {
				continue
			}
			if refs[i] == nil {
				delete(rm, "backendRefs")
			} else {
				rm["backendRefs"] = refs[i]
			}
		}
		_ = unstructured.SetNestedSlice(u.Object, rules, "spec", "rules")
		delete(ann, annRouteWeights)
		u.SetAnnotations(ann)
		_, err = ri.Update(ctx, u, metav1.UpdateOptions{FieldManager: rolloutManager})
		return err
	})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// setIngressWeight keeps a canary Ingress beside the stable one: its
// rules send to the canary Service, and NGINX's canary annotations carry
// the weight.
func (x *rolloutRun) setIngressWeight(ctx context.Context, weight int) error {
	svc, err := x.stableService(ctx)
	if err != nil {
		return err
	}
	canary := x.canaryService(svc)
	id := x.ingressID()
	ri, _, err := x.r.ms.Resource(id)
	if err != nil {
		return err
	}
	src, err := ri.Get(ctx, id.Name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("read Ingress %s/%s: %w", id.Namespace, id.Name, err)
	}
	spec, _, _ := unstructured.NestedMap(src.Object, "spec")
	delete(spec, "tls")
	retarget(spec, svc, canary)
	cid := x.canaryIngressID()
	if err := x.notTaken(ctx, cid); err != nil {
		return err
	}
	obj := map[string]any{
		"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
		"metadata": map[string]any{
			"name": cid.Name, "namespace": cid.Namespace,
			"labels":      map[string]any{labelManagedBy: managedBy, labelApp: x.r.cfg.Name, labelRole: x.role},
			"annotations": map[string]any{nginxCanary: "true", nginxCanaryWeight: strconv.Itoa(weight)},
		},
		"spec": spec,
	}
	_, err = x.r.ms.ApplyAs(ctx, cid, obj, rolloutManager)
	return err
}

// retarget replaces every backend service name from with to.
func retarget(v any, from, to string) {
	switch t := v.(type) {
	case map[string]any:
		if svc, ok := t["service"].(map[string]any); ok && svc["name"] == from {
			svc["name"] = to
		}
		for _, c := range t {
			retarget(c, from, to)
		}
	case []any:
		for _, c := range t {
			retarget(c, from, to)
		}
	}
}

// blueGreen carries out the blue-green steps from the one under way:
// preview at full size, analysis, promotion (after auto_promotion or on
// promote), the switch of the active Service, and after
// scale_down_delay, the Deployment of the manifests on the new template.
func (x *rolloutRun) blueGreen(ctx context.Context) error {
	bg := x.spec.BlueGreen
	i := 0
	next := func() bool { ok := x.st.Step == i; i++; return ok }
	// Step: preview at full size.
	if next() {
		x.progress("step %d/%d: preview at full size (%d pods)", x.st.Step+1, len(x.st.Steps), x.replicas)
		if err := x.scale(ctx, x.second, x.replicas); err != nil {
			return x.failed(ctx, err)
		}
		prev, err := x.getSecond(ctx)
		if err != nil {
			return x.failed(ctx, err)
		}
		hash, err := x.podTemplateHash(ctx, prev)
		if err != nil {
			return x.failed(ctx, err)
		}
		if x.previewInManifests() {
			err = x.pinService(ctx, x.previewService(), hash)
		} else {
			err = x.ensureSecondService(ctx, bg.ActiveService, x.previewService())
		}
		if err != nil {
			return x.failed(ctx, err)
		}
		x.st.CanaryReplicas = x.replicas
		if err := x.advance(ctx); err != nil {
			return err
		}
	}
	if bg.PrePromotionAnalysis != "" && next() {
		if err := x.analysis(ctx, bg.PrePromotionAnalysis); err != nil {
			return err
		}
		if err := x.advance(ctx); err != nil {
			return err
		}
	}
	if next() {
		if err := x.pause(ctx, bg.AutoPromotion); err != nil {
			return err
		}
		if err := x.advance(ctx); err != nil {
			return err
		}
	}
	if next() {
		x.progress("step %d/%d: switching Service %s to the new pods", x.st.Step+1, len(x.st.Steps), bg.ActiveService)
		// Never before the preview is Ready at full size, whatever
		// promote skipped.
		if err := x.scale(ctx, x.second, x.replicas); err != nil {
			return x.failed(ctx, err)
		}
		prev, err := x.getSecond(ctx)
		if err != nil {
			return x.failed(ctx, err)
		}
		if h, _ := x.podTemplateHash(ctx, prev); h != "" {
			err = x.pinService(ctx, bg.ActiveService, h)
		} else {
			err = fmt.Errorf("the preview's pods cannot be told apart")
		}
		if err != nil {
			return x.failed(ctx, err)
		}
		x.st.Weight = 100
		if err := x.advance(ctx); err != nil {
			return err
		}
	}
	// Last step: the old pods stay for scale_down_delay, then the
	// Deployment of the manifests takes the new template.
	delay := bg.ScaleDownDelay
	if delay == "" {
		delay = "30s"
	}
	if x.st.Step == len(x.st.Steps)-1 {
		if err := x.pause(ctx, delay); err != nil {
			return err
		}
	}
	x.st.Phase = rolloutspec.PhaseProgressing
	return x.complete(ctx)
}

// advance moves to the next step and records it.
func (x *rolloutRun) advance(ctx context.Context) error {
	x.st.Step++
	x.st.PausedUntil = ""
	x.st.Phase = rolloutspec.PhaseProgressing
	return x.save(ctx)
}

func (x *rolloutRun) getSecond(ctx context.Context) (*unstructured.Unstructured, error) {
	ri, _, err := x.r.ms.Resource(x.second)
	if err != nil {
		return nil, err
	}
	return ri.Get(ctx, x.second.Name, metav1.GetOptions{})
}

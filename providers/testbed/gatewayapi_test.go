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

package testbed_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"slipway.dev/slipway/providers/testbed"
)

// TestGatewayAPICRDs reads the standard channel's CRDs from the module
// go.mod pins.
func TestGatewayAPICRDs(t *testing.T) {
	t.Parallel()
	crds, err := testbed.GatewayAPICRDs()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, crd := range crds {
		names[crd.GetName()] = true
		if ch := crd.GetAnnotations()["gateway.networking.k8s.io/channel"]; ch != "standard" {
			t.Errorf("%s is of channel %q, want standard", crd.GetName(), ch)
		}
	}
	for _, want := range []string{"gatewayclasses", "gateways", "httproutes", "referencegrants"} {
		if !names[want+"."+gatewayv1.GroupName] {
			t.Errorf("no %s CRD among %v", want, names)
		}
	}
}

// TestGatewayAPIInstall installs the CRDs into the shared cluster, twice
// (as two tests of one binary may), and creates a Gateway and an
// HTTPRoute that splits traffic between two Services by weight, as a
// canary does. No Gateway controller runs in the testbed: the objects
// are stored and validated, never programmed.
func TestGatewayAPIInstall(t *testing.T) {
	t.Parallel()
	c := testbed.Shared(t)
	for range 2 {
		if err := testbed.InstallGatewayAPI(t.Context(), c.Config); err != nil {
			t.Fatal(err)
		}
	}
	kc, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := kc.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "gateway-api-"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kc.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{}) })
	dc, err := dynamic.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	gv := gatewayv1.SchemeGroupVersion
	create := func(resource string, namespaced bool, obj runtime.Object) (*unstructured.Unstructured, error) {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			t.Fatal(err)
		}
		ri := dc.Resource(gv.WithResource(resource))
		u := &unstructured.Unstructured{Object: m}
		if namespaced {
			return ri.Namespace(ns.Name).Create(t.Context(), u, metav1.CreateOptions{})
		}
		return ri.Create(t.Context(), u, metav1.CreateOptions{})
	}

	class := &gatewayv1.GatewayClass{
		TypeMeta:   metav1.TypeMeta{APIVersion: gv.String(), Kind: "GatewayClass"},
		ObjectMeta: metav1.ObjectMeta{Name: ns.Name},
		Spec:       gatewayv1.GatewayClassSpec{ControllerName: "example.com/gateway-controller"},
	}
	if _, err := create("gatewayclasses", false, class); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		dc.Resource(gv.WithResource("gatewayclasses")).Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
	})
	gw := &gatewayv1.Gateway{
		TypeMeta:   metav1.TypeMeta{APIVersion: gv.String(), Kind: "Gateway"},
		ObjectMeta: metav1.ObjectMeta{Name: "edge"},
		Spec: gatewayv1.GatewaySpec{
			GatewayClassName: gatewayv1.ObjectName(ns.Name),
			Listeners:        []gatewayv1.Listener{{Name: "http", Port: 80, Protocol: gatewayv1.HTTPProtocolType}},
		},
	}
	if _, err := create("gateways", true, gw); err != nil {
		t.Fatal(err)
	}
	route := func(stable, canary int32) *gatewayv1.HTTPRoute {
		backend := func(name string, w int32) gatewayv1.HTTPBackendRef {
			port := gatewayv1.PortNumber(80)
			return gatewayv1.HTTPBackendRef{BackendRef: gatewayv1.BackendRef{
				BackendObjectReference: gatewayv1.BackendObjectReference{Name: gatewayv1.ObjectName(name), Port: &port},
				Weight:                 &w,
			}}
		}
		return &gatewayv1.HTTPRoute{
			TypeMeta:   metav1.TypeMeta{APIVersion: gv.String(), Kind: "HTTPRoute"},
			ObjectMeta: metav1.ObjectMeta{Name: "web"},
			Spec: gatewayv1.HTTPRouteSpec{
				CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{{Name: "edge"}}},
				Rules:           []gatewayv1.HTTPRouteRule{{BackendRefs: []gatewayv1.HTTPBackendRef{backend("web", stable), backend("web-canary", canary)}}},
			},
		}
	}
	got, err := create("httproutes", true, route(80, 20))
	if err != nil {
		t.Fatal(err)
	}
	var stored gatewayv1.HTTPRoute
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(got.Object, &stored); err != nil {
		t.Fatal(err)
	}
	var weights []int32
	for _, b := range stored.Spec.Rules[0].BackendRefs {
		weights = append(weights, *b.Weight)
	}
	if diff := cmp.Diff([]int32{80, 20}, weights); diff != "" {
		t.Errorf("stored weights (-want +got):\n%s", diff)
	}
	// The CRD's schema is enforced: a weight beyond its maximum is refused.
	bad := route(80, 2_000_000)
	bad.Name = "too-heavy"
	if _, err := create("httproutes", true, bad); err == nil || !strings.Contains(err.Error(), "weight") {
		t.Errorf("creating a route with weight 2000000: err = %v, want a refusal naming the weight", err)
	}
}

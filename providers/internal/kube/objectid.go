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

package kube

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ObjectID names one Kubernetes object the way state and plans show it:
// "GROUP/VERSION KIND NAMESPACE/NAME", with the core group written as just
// its version ("v1 Namespace /web") and an empty namespace for
// cluster-scoped objects.
type ObjectID struct {
	Group, Version, Kind string
	Namespace, Name      string
}

func (id ObjectID) String() string {
	return id.APIVersion() + " " + id.Kind + " " + id.Namespace + "/" + id.Name
}

// APIVersion is the apiVersion field of the object.
func (id ObjectID) APIVersion() string {
	return id.GVK().GroupVersion().String()
}

// GVK is the object's group, version and kind.
func (id ObjectID) GVK() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: id.Group, Version: id.Version, Kind: id.Kind}
}

// ParseObjectID reads an ID written by ObjectID.String.
func ParseObjectID(s string) (ObjectID, error) {
	parts := strings.Split(s, " ")
	if len(parts) != 3 {
		return ObjectID{}, fmt.Errorf("object ID %q is not \"GROUP/VERSION KIND NAMESPACE/NAME\"", s)
	}
	gv, err := schema.ParseGroupVersion(parts[0])
	if err != nil {
		return ObjectID{}, fmt.Errorf("object ID %q: %w", s, err)
	}
	ns, name, ok := strings.Cut(parts[2], "/")
	if !ok || name == "" || parts[1] == "" || gv.Version == "" {
		return ObjectID{}, fmt.Errorf("object ID %q is not \"GROUP/VERSION KIND NAMESPACE/NAME\"", s)
	}
	return ObjectID{Group: gv.Group, Version: gv.Version, Kind: parts[1], Namespace: ns, Name: name}, nil
}

// IDOf returns the ID of an object.
func IDOf(u *unstructured.Unstructured) ObjectID {
	gvk := u.GroupVersionKind()
	return ObjectID{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}

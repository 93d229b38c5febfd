package kubernetes

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// objectID names one Kubernetes object the way state and plans show it:
// "GROUP/VERSION KIND NAMESPACE/NAME", with the core group written as just
// its version ("v1 Namespace /web") and an empty namespace for
// cluster-scoped objects.
type objectID struct {
	Group, Version, Kind string
	Namespace, Name      string
}

func (id objectID) String() string {
	return id.APIVersion() + " " + id.Kind + " " + id.Namespace + "/" + id.Name
}

// APIVersion is the apiVersion field of the object.
func (id objectID) APIVersion() string {
	return id.GVK().GroupVersion().String()
}

func (id objectID) GVK() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: id.Group, Version: id.Version, Kind: id.Kind}
}

// parseObjectID reads an ID written by objectID.String.
func parseObjectID(s string) (objectID, error) {
	parts := strings.Split(s, " ")
	if len(parts) != 3 {
		return objectID{}, fmt.Errorf("object ID %q is not \"GROUP/VERSION KIND NAMESPACE/NAME\"", s)
	}
	gv, err := schema.ParseGroupVersion(parts[0])
	if err != nil {
		return objectID{}, fmt.Errorf("object ID %q: %w", s, err)
	}
	ns, name, ok := strings.Cut(parts[2], "/")
	if !ok || name == "" || parts[1] == "" || gv.Version == "" {
		return objectID{}, fmt.Errorf("object ID %q is not \"GROUP/VERSION KIND NAMESPACE/NAME\"", s)
	}
	return objectID{Group: gv.Group, Version: gv.Version, Kind: parts[1], Namespace: ns, Name: name}, nil
}

// idOf returns the ID of an object.
func idOf(u *unstructured.Unstructured) objectID {
	gvk := u.GroupVersionKind()
	return objectID{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}
}

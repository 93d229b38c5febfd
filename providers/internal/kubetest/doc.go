// Package kubetest reads and makes Kubernetes objects behind a provider's
// back, for the end-to-end tests of the kubernetes and helm providers: to
// check what a plan or an apply did to the cluster, and to change the
// cluster the way someone else would.
//
// What must stay true: only tests import it, and it talks to the API
// server directly, never through a provider, so what it sees is what is
// in the cluster.
package kubetest

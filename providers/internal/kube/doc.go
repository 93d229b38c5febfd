// Package kube is what slipway's two Kubernetes providers, kubernetes
// (kubernetes_app) and helm (helm_release), share: the cluster connection
// (kubeconfig, context, rate limits, dynamic client and a RESTMapper
// cached for the process), object IDs, what plans and state show of an
// object (Normalise), health in Argo CD's words (kstatus underneath),
// server-side apply and its dry-run, and the LISTs that find many live
// objects at once (LiveSet).
//
// What must stay true:
//
//   - Both providers show the same object the same way: one ID format
//     ("GROUP/VERSION KIND NAMESPACE/NAME"), one normalisation, one health,
//     so a user reading a plan cannot tell which provider made it.
//   - Nothing here changes the cluster except Mappings.Apply without
//     dryRun; everything else only reads.
//   - The package imports nothing of slipway but plugin-sdk, and nothing of
//     Helm: it is the providers' common ground, not a third provider.
//     Anything only one provider needs stays in that provider.
package kube

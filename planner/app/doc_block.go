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

package app

import (
	"slipway.dev/slipway/lang"
	"slipway.dev/slipway/planner/kind"
)

var _ kind.Documented = Kind{}

var helmValuesDocs = []lang.AttrDoc{
	{Name: "values", Type: "object", Description: "Values for the chart, over its values.yaml."},
	{Name: "values_files", Type: "list(string)", Description: "Values files, relative to the configuration, applied in order before values."},
}

// Doc describes the app block for its reference page.
func (Kind) Doc() lang.BlockDoc {
	return lang.BlockDoc{
		Type: "app", Labels: []string{"name"},
		Description: "CD: manifests from a directory of a git source (plain YAML, kustomize or a helm chart), or a chart from a repository, synced into a cluster with server-side apply, as an Argo CD Application does. The plan shows every object's change.",
		Attributes:  lang.MetaArguments,
		Blocks: []lang.BlockDoc{
			{
				Type: "source", Description: "Where the manifests are: a directory of a git source.",
				Attributes: []lang.AttrDoc{
					{Name: "repo", Type: "reference", Required: true, Description: "The git source, as source.git.NAME."},
					{Name: "path", Type: "string", Description: "The directory in it (the root unless set); a kustomization.yaml or Chart.yaml there says how it renders."},
				},
				Blocks: []lang.BlockDoc{{Type: "helm", Description: "Render the directory as a helm chart.", Attributes: helmValuesDocs}},
			},
			{
				Type: "chart", Description: "A helm chart from a repository (HTTP or OCI) instead of a source.",
				Attributes: append([]lang.AttrDoc{
					{Name: "repository", Type: "string", Required: true, Description: "The chart repository's URL (https:// or oci://)."},
					{Name: "name", Type: "string", Required: true, Description: "The chart's name."},
					{Name: "version", Type: "string", Description: "The chart's version or a constraint; the latest unless set."},
				}, helmValuesDocs...),
			},
			{
				Type: "destination", Description: "Where the objects go.",
				Attributes: []lang.AttrDoc{
					{Name: "namespace", Type: "string", Description: "The namespace of namespaced objects that name none."},
					{Name: "provider", Type: "reference", Description: "The kubernetes provider configuration (the cluster), as provider.kubernetes.ALIAS."},
				},
			},
			{
				Type: "sync", Description: "How the app is synced.",
				Attributes: []lang.AttrDoc{
					{Name: "prune", Type: "bool", Description: "Delete objects the manifests no longer hold."},
					{Name: "self_heal", Type: "bool", Description: "Undo changes made to the objects outside slipway (plan shows them as drift)."},
					{Name: "create_namespace", Type: "bool", Description: "Create the destination namespace when it is missing."},
					{Name: "prune_last", Type: "bool", Description: "Prune after every other object was applied and is healthy."},
				},
				Blocks: []lang.BlockDoc{
					{
						Type: "retry", Description: "Retry a failed sync, with a backoff.",
						Attributes: []lang.AttrDoc{
							{Name: "limit", Type: "number", Description: "How many times to retry."},
							{Name: "backoff", Type: "duration", Description: "The wait before the first retry."},
							{Name: "factor", Type: "number", Description: "What each wait is multiplied by for the next."},
							{Name: "max_backoff", Type: "duration", Description: "The longest wait."},
						},
					},
					{
						Type: "wait", Description: "Wait for the objects to become healthy.",
						Attributes: []lang.AttrDoc{{Name: "timeout", Type: "duration", Description: "How long to wait before the sync fails."}},
					},
					{
						Type: "adopt", Description: "Take over, in place, the objects that Argo CD or Flux synced.",
						Attributes: []lang.AttrDoc{
							{Name: "from", Type: "string", Description: "argocd or flux."},
							{Name: "name", Type: "string", Description: "The Argo CD Application's name, or the Flux Kustomization's namespace/name."},
						},
					},
				},
			},
			{
				Type: "rollout", Description: "Roll a change of the app's pod template out progressively, by a rollout block's strategy, instead of at once. For apps of manifests (plain YAML or kustomize); the plan shows every step the change will take.",
				Attributes: []lang.AttrDoc{
					{Name: "strategy", Type: "reference", Required: true, Description: "The rollout block to follow, as rollout.NAME."},
					{Name: "workload", Type: "string", Description: "The Deployment that rolls, as Deployment/NAME; optional when the app's manifests hold one Deployment, which is then the one; an app of several must name one."},
					{Name: "trigger_on", Type: "list(string)", Description: "Objects of the app, as KIND/NAME (like ConfigMap/web-config), whose changes roll the workload out too, as a pod template change does."},
				},
			},
			{
				Type: "ignore_differences", Repeated: true,
				Description: "Fields of matching objects whose differences are not shown nor undone (fields another controller owns).",
				Attributes: []lang.AttrDoc{
					{Name: "group", Type: "string", Description: "The API group of the objects."},
					{Name: "kind", Type: "string", Description: "The kind of the objects."},
					{Name: "name", Type: "string", Description: "The name of the object."},
					{Name: "namespace", Type: "string", Description: "The namespace of the objects."},
					{Name: "json_pointers", Type: "list(string)", Description: "The fields, as JSON pointers like /spec/replicas."},
				},
			},
		},
	}
}

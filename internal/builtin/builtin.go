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

package builtin

import "github.com/zclconf/go-cty/cty"

// Provider names of the built-in providers.
const (
	GitProvider        = "git"
	RegistryProvider   = "registry"
	KubernetesProvider = "kubernetes"
	HelmProvider       = "helm"
)

// KubernetesApp is the resource type an app of plain YAML or kustomize is
// lowered to: one instance per app instance, holding every object of the
// app.
const KubernetesApp = "kubernetes_app"

// The attributes of kubernetes_app.
const (
	AppName              = "name"
	AppManifestsDir      = "manifests_dir"
	AppNamespace         = "namespace"
	AppCreateNamespace   = "create_namespace"
	AppPrune             = "prune"
	AppPruneLast         = "prune_last"
	AppSelfHeal          = "self_heal"
	AppRevision          = "revision"
	AppWaitTimeout       = "wait_timeout"
	AppRetry             = "retry"
	AppIgnoreDifferences = "ignore_differences"
	AppObjects           = "objects"
	AppInventory         = "inventory"
	AppAdopt             = "adopt"
	AppAdopted           = "adopted"
	AppHooks             = "hooks"
	// AppRollout is the strategy the app follows, as the JSON of a
	// rolloutspec.Spec; null: changes apply at once.
	AppRollout = "rollout"
	// AppRolloutAction is a one-off request from `slipway rollout`:
	// RolloutPromote, RolloutPromoteFull, RolloutAbort or RolloutRetry.
	AppRolloutAction = "rollout_action"
	// AppRolloutStatus is where the app's rollout stands, computed by the
	// provider, as the JSON of a rolloutspec.Status; null without one.
	AppRolloutStatus = "rollout_status"
	// AppRolloutPlan is what a plan proposes for the app's rollout (a
	// rolloutspec.Status with its Action), as JSON, or null. It is a
	// Local attribute: a proposal, not a state of the world, so a
	// difference in it alone is never a change.
	AppRolloutPlan = "rollout_plan"
)

// RolloutRevisionAnnotation, on the Deployment a rollout rolls, is the
// revision (a digest of its pod template) it runs: what rewrites the
// template (a promote) changes it too.
const RolloutRevisionAnnotation = "slipway.dev/rollout-revision"

// The requests of `slipway rollout` (AppRolloutAction).
const (
	RolloutPromote     = "promote"
	RolloutPromoteFull = "promote_full"
	RolloutAbort       = "abort"
	RolloutRetry       = "retry"
)

// The attributes of one entry of kubernetes_app.hooks: a hook the next
// sync runs (Argo CD's resource hooks).
const (
	HookPhase        = "phase"
	HookID           = "id"
	HookGenerateName = "generate_name"
	HookWave         = "wave"
	HookDeletePolicy = "delete_policy"
	// HookManifest is the hook's object as the run creates it, as JSON
	// (its name aside, for a hook with generate_name): what a reviewer
	// reads, since a run, not an object of the app, shows no other diff.
	HookManifest = "manifest"
)

// HookType is the type of one entry of kubernetes_app.hooks.
var HookType = cty.Object(map[string]cty.Type{
	HookPhase:        cty.String,
	HookID:           cty.String,
	HookGenerateName: cty.String,
	HookWave:         cty.Number,
	HookDeletePolicy: cty.List(cty.String),
	HookManifest:     cty.String,
})

// The phases of hooks, as Argo CD names them.
const (
	HookPreSync    = "PreSync"
	HookSync       = "Sync"
	HookPostSync   = "PostSync"
	HookSyncFail   = "SyncFail"
	HookPostDelete = "PostDelete"
)

// The attributes of kubernetes_app.adopt: whose objects the app takes
// over on its first sync, by that tool's tracking marks.
const (
	AdoptFrom = "from" // "argocd" or "flux"
	AdoptName = "name" // the Argo CD Application, or Flux Kustomization "namespace/name"
)

// AdoptType is the type of kubernetes_app.adopt.
var AdoptType = cty.Object(map[string]cty.Type{
	AdoptFrom: cty.String,
	AdoptName: cty.String,
})

// The attributes of an app's retry object (kubernetes_app.retry).
const (
	RetryLimit      = "limit"
	RetryBackoff    = "backoff"
	RetryFactor     = "factor"
	RetryMaxBackoff = "max_backoff"
)

// RetryType is the type of kubernetes_app.retry.
var RetryType = cty.Object(map[string]cty.Type{
	RetryLimit:      cty.Number,
	RetryBackoff:    cty.String,
	RetryFactor:     cty.Number,
	RetryMaxBackoff: cty.String,
})

// The attributes of one ignore_differences entry.
const (
	IgnoreGroup        = "group"
	IgnoreKind         = "kind"
	IgnoreName         = "name"
	IgnoreNamespace    = "namespace"
	IgnoreJSONPointers = "json_pointers"
)

// IgnoreDifferenceType is the type of one ignore_differences entry.
var IgnoreDifferenceType = cty.Object(map[string]cty.Type{
	IgnoreGroup:        cty.String,
	IgnoreKind:         cty.String,
	IgnoreName:         cty.String,
	IgnoreNamespace:    cty.String,
	IgnoreJSONPointers: cty.List(cty.String),
})

// HelmRelease is the resource type an app of a helm chart is lowered to.
// It shares name, namespace, create_namespace, revision, wait_timeout,
// objects and inventory with kubernetes_app (the App* constants).
const HelmRelease = "helm_release"

// The attributes of helm_release that kubernetes_app has not.
const (
	HelmChartDir        = "chart_dir"
	HelmRepository      = "repository"
	HelmChart           = "chart"
	HelmVersion         = "version"
	HelmValues          = "values"
	HelmValuesFiles     = "values_files"
	HelmAtomic          = "atomic"
	HelmChartVersion    = "chart_version"
	HelmAppVersion      = "app_version"
	HelmReleaseRevision = "release_revision"
	// HelmRandomFields lists, by object ID, the fields of objects that
	// the chart renders differently each time (randAlphaNum, now,
	// uuidv4), as JSON pointers ("/data/password").
	HelmRandomFields = "random_fields"
)

// RegistryImage is the resource type a pipeline's image block is lowered
// to: an image built from files of the pipeline's workspace and pushed.
const RegistryImage = "registry_image"

// The attributes of registry_image.
const (
	ImageRepository = "repository"
	ImageTags       = "tags"
	ImageBase       = "base"
	ImagePlatform   = "platform"
	ImageContextDir = "context_dir"
	ImageFiles      = "files"
	ImageEntrypoint = "entrypoint"
	ImageCmd        = "cmd"
	ImageEnv        = "env"
	ImageLabels     = "labels"
	ImageUser       = "user"
	ImageWorkdir    = "workdir"
	ImageDigest     = "digest"
	ImageRef        = "ref"
	ImageImage      = "image"
	ImageBaseDigest = "base_digest"
)

// GitPromote is the resource type a pipeline's promote block is lowered
// to: one commit to a GitOps repository.
const GitPromote = "git_promote"

// The attributes of git_promote.
const (
	PromoteURL         = "url"
	PromoteBranch      = "branch"
	PromoteBaseCommit  = "base_commit"
	PromotePath        = "path"
	PromoteImage       = "image"
	PromoteNewTag      = "new_tag"
	PromoteDigest      = "digest"
	PromoteYAMLPath    = "yaml_path"
	PromoteValue       = "value"
	PromoteContent     = "content"
	PromoteMessage     = "message"
	PromoteAuthorName  = "author_name"
	PromoteAuthorEmail = "author_email"
	PromoteChanges     = "changes"
	PromoteDiff        = "diff"
	PromoteCommit      = "commit"
	PromoteParent      = "parent"
)

// The attributes of one entry of git_promote.changes.
const (
	ChangeFile   = "file"
	ChangeField  = "field"
	ChangeBefore = "before"
	ChangeAfter  = "after"
)

// PromoteChangeType is the type of one entry of git_promote.changes: a
// value the commit sets, in a file, from before to after.
var PromoteChangeType = cty.Object(map[string]cty.Type{
	ChangeFile:   cty.String,
	ChangeField:  cty.String,
	ChangeBefore: cty.String,
	ChangeAfter:  cty.String,
})

// The attributes of a git source that the core reads when it lowers an
// app or a pipeline: where the checkout is, and what it resolved to.
const (
	SourceDir         = "dir"
	SourceCommit      = "commit"
	SourceShortCommit = "short_commit"
	SourceBranch      = "branch"
	SourceRef         = "ref"
	SourceTag         = "tag"
	SourceURL         = "url"
)

// ImageSource is the source type of an image in a registry (source
// "image" "NAME"); what it resolved to is in these attributes.
const (
	ImageSource        = "image"
	ImageSourceDigest  = "digest"
	ImageSourceVersion = "version"
	ImageSourceRef     = "ref"
)

// GitSource is the source type of a git repository (source "git" "NAME").
const GitSource = "git"

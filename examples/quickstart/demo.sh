#!/usr/bin/env bash
# make demo: a local control plane, git server and image registry; an
# application repository seeded from app/ and a GitOps repository from
# gitops/; then slipway init, plan, apply and status of main.slip.hcl: the
# pipeline tests and builds app/, pushes its image and promotes the tag,
# and the app syncs it. The first run builds the control-plane binaries
# from Go modules (several minutes, once per machine, with progress).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/bin"
demo="${SLIPWAY_DEMO_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/slipway/demo}"
bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }

if [ -f "$demo/testbed/testbed.pid" ]; then
  "$bin/slipway-testbed" down --dir "$demo/testbed" >/dev/null 2>&1 || true
fi
rm -rf "$demo"
mkdir -p "$demo/work"

bold "Starting a local control plane, git server and image registry"
"$bin/slipway-testbed" up --dir "$demo/testbed"
# shellcheck disable=SC1091
source "$demo/testbed/env"

repos="$demo/testbed/git"
# seed NAME DIR: a repository NAME.git on the git server holding DIR.
seed() {
  local name=$1 src=$2 work="$demo/seed/$1"
  git init -q --bare -b main "$repos/$name.git"
  git -C "$repos/$name.git" config http.receivepack true
  mkdir -p "$demo/seed"
  cp -r "$src" "$work"
  (
    cd "$work"
    export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=slipway GIT_AUTHOR_EMAIL=demo@slipway.dev \
      GIT_COMMITTER_NAME=slipway GIT_COMMITTER_EMAIL=demo@slipway.dev
    git init -q -b main .
    git add -A
    git commit -q -m "$name: first version"
    git push -q "$SLIPWAY_GIT_URL/$name.git" main
  )
}
bold "Seeding $SLIPWAY_GIT_URL/app.git and $SLIPWAY_GIT_URL/gitops.git"
seed app "$root/examples/quickstart/app"
# The GitOps repository names the demo registry's images.
gitops_src="$demo/gitops-src"
cp -r "$root/examples/quickstart/gitops" "$gitops_src"
sed -i "s|REGISTRY/|$SLIPWAY_REGISTRY/|" "$gitops_src/apps/web/kustomization.yaml"
seed gitops "$gitops_src"

cp "$root/examples/quickstart/main.slip.hcl" "$demo/work/"
cd "$demo/work"
export SLIPWAY_VAR_app_url="$SLIPWAY_GIT_URL/app.git"
export SLIPWAY_VAR_gitops_url="$SLIPWAY_GIT_URL/gitops.git"
export SLIPWAY_VAR_registry="$SLIPWAY_REGISTRY"
# The pipeline's stages build Go: the toolchain that built slipway.
gobin=$(command -v "${GO:-go}") || { echo "the pipeline's stages run go; put it on PATH" >&2; exit 1; }
export PATH="$(dirname "$gobin"):$PATH" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
slipway="$bin/slipway"
step() { bold "\$ slipway $*"; }
step init;                      "$slipway" init
step plan -out=web.plan;        "$slipway" plan -out=web.plan
step apply web.plan;            "$slipway" apply web.plan
step status;                    "$slipway" status
step plan -detailed-exitcode;   "$slipway" plan -detailed-exitcode
step logs pipeline.web test;    "$slipway" logs pipeline.web test

# A second commit to the GitOps repository changes the pod template: the
# plan shows the canary's steps, and apply carries them out.
bold "A second commit: the Deployment's pod template changes"
(
  cd "$demo/seed/gitops"
  export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=slipway GIT_AUTHOR_EMAIL=demo@slipway.dev \
    GIT_COMMITTER_NAME=slipway GIT_COMMITTER_EMAIL=demo@slipway.dev
  git pull -q "$SLIPWAY_GIT_URL/gitops.git" main
  sed -i 's|^    metadata:$|    metadata:\n      annotations: {demo.slipway.dev/change: second-commit}|' apps/web/deployment.yaml
  git commit -q -am "web: annotate the pod template"
  git push -q "$SLIPWAY_GIT_URL/gitops.git" main
)
step plan -out=canary.plan;     "$slipway" plan -out=canary.plan
step apply canary.plan;         "$slipway" apply canary.plan
step rollout status app.web;    "$slipway" rollout status app.web

bold "Look around"
cat <<MSG
  cd $demo/work
  export KUBECONFIG=$KUBECONFIG SLIPWAY_VAR_app_url=$SLIPWAY_VAR_app_url SLIPWAY_VAR_gitops_url=$SLIPWAY_VAR_gitops_url SLIPWAY_VAR_registry=$SLIPWAY_REGISTRY
  $bin/kubectl get deployments,services,configmaps -n web -o wide
  $slipway status app.web
  curl -s http://$SLIPWAY_REGISTRY/v2/demo/web/tags/list     # the pushed image's tags
  git clone $SLIPWAY_GIT_URL/gitops.git && git -C gitops log  # the promote's commit
  git clone $SLIPWAY_GIT_URL/app.git     # change greet.go, commit, push, then: $slipway plan
                                         # (the pipeline runs; the app's image is known after apply)

Stop it with (the first: the agent slipway plan started in $demo/work):
  (cd $demo/work && $slipway agent -stop)
  $bin/slipway-testbed down --dir $demo/testbed
MSG

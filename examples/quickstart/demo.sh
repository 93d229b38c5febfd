#!/usr/bin/env bash
# make demo: a local control plane and git server, a GitOps repository
# seeded from gitops/, then slipway init, plan, apply and status of the
# app in main.slip.hcl. The first run builds the control-plane binaries
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

bold "Starting a local control plane and git server"
"$bin/slipway-testbed" up --dir "$demo/testbed"
# shellcheck disable=SC1091
source "$demo/testbed/env"

bold "Seeding the GitOps repository $SLIPWAY_GIT_URL/gitops.git"
repos="$demo/testbed/git"
git init -q --bare -b main "$repos/gitops.git"
git -C "$repos/gitops.git" config http.receivepack true
seed="$demo/seed"
cp -r "$root/examples/quickstart/gitops" "$seed"
(
  cd "$seed"
  export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=slipway GIT_AUTHOR_EMAIL=demo@slipway.dev \
    GIT_COMMITTER_NAME=slipway GIT_COMMITTER_EMAIL=demo@slipway.dev
  git init -q -b main .
  git add -A
  git commit -q -m "web: first version"
  git push -q "$SLIPWAY_GIT_URL/gitops.git" main
)

cp "$root/examples/quickstart/main.slip.hcl" "$demo/work/"
cd "$demo/work"
export SLIPWAY_VAR_gitops_url="$SLIPWAY_GIT_URL/gitops.git"
slipway="$bin/slipway"
step() { bold "\$ slipway $*"; }
step init;                      "$slipway" init
step plan -out=web.plan;        "$slipway" plan -out=web.plan
step apply web.plan;            "$slipway" apply web.plan
step status;                    "$slipway" status
step plan -detailed-exitcode;   "$slipway" plan -detailed-exitcode

bold "Look around"
cat <<MSG
  cd $demo/work
  export KUBECONFIG=$KUBECONFIG SLIPWAY_VAR_gitops_url=$SLIPWAY_VAR_gitops_url
  $bin/kubectl get deployments,services,configmaps -n web
  $slipway status app.web
  git clone $SLIPWAY_GIT_URL/gitops.git   # change apps/web, push, then: $slipway plan

Stop it with:
  $bin/slipway-testbed down --dir $demo/testbed
MSG

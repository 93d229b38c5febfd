#!/usr/bin/env bash
# Scale benchmark of apps on the local control plane, all in one run:
#   N apps x 10 objects (4 ConfigMaps, 3 Secrets, 2 Services, 1
#   ServiceAccount), synced from one GitOps repository with for_each over
#   its directories (an ApplicationSet-style git generator).
# It times, on the same control plane and in the same run:
#   - the first slipway apply, and kubectl apply --server-side of the same
#     manifests into other namespaces;
#   - a no-op slipway plan, the floor (one LIST of each kind, by kubectl
#     get, which is client-go), and kubectl diff --server-side;
# each no-op measurement RUNS times (median reported), and the peak RSS of
# the slipway plan process.
#
# It also reports the state: its bytes as stored and as a JSON document,
# and what reading it costs in a no-op plan (which reads the state and
# writes none), as the plan itself says with SLIPWAY_LOG=debug, and the
# share of the plan's time that is. For the baseline, which says nothing
# of it, slipway state list less the start of the process stands in
# (slipway 0.2 before this line existed read the state twice there, so
# its figure is halved).
#
# With BASELINE=/path/to/another/slipway, the no-op plan is also timed
# with that binary, run by run in turn with this one, and their ratio is
# reported: how a change to slipway moves the figure, on one cluster.
#
# usage: examples/bench/apps.sh [N] [RUNS]     (make build testbed first)
set -euo pipefail
N=${1:-1000}
RUNS=${2:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/bin"
work=$(mktemp -d -t slipway-bench.XXXXXX)
trap '"$bin/slipway-testbed" down --dir "$work/testbed" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

"$bin/slipway-testbed" up --dir "$work/testbed" >/dev/null
# shellcheck disable=SC1091
source "$work/testbed/env"
kubectl="$bin/kubectl"
export KUBECONFIG
# Each plan here is made in its own process, as this benchmark always
# measured them; platform.sh measures the agent a plan starts by default.
export SLIPWAY_AGENT=off

# The manifests: app i lives in namespace bench-(i%10).
gen() { # gen DIR NSPREFIX
  local out=$1 prefix=$2
  for ((i = 0; i < N; i++)); do
    local app; app=$(printf 'app-%04d' "$i")
    local ns="$prefix-$((i % 10))"
    mkdir -p "$out/$app"
    {
      for c in 0 1 2 3; do printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s-cm%d\n  namespace: %s\ndata:\n  key: value-%d-%d\n---\n' "$app" "$c" "$ns" "$i" "$c"; done
      for c in 0 1 2; do printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s-secret%d\n  namespace: %s\nstringData:\n  token: t-%d-%d\n---\n' "$app" "$c" "$ns" "$i" "$c"; done
      for c in 0 1; do printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: %s-svc%d\n  namespace: %s\nspec:\n  selector:\n    app: %s\n  ports:\n  - port: %d\n---\n' "$app" "$c" "$ns" "$app" $((80 + c)); done
      printf 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: %s-sa\n  namespace: %s\n' "$app" "$ns"
    } > "$out/$app/objects.yaml"
  done
}
gen "$work/gitops/apps" bench
gen "$work/kubectl" kbench
for ((n = 0; n < 10; n++)); do "$kubectl" create namespace "bench-$n" >/dev/null; "$kubectl" create namespace "kbench-$n" >/dev/null; done

git init -q --bare -b main "$SLIPWAY_GIT_ROOT/gitops.git"
(
  cd "$work/gitops"
  export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@slipway.dev GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@slipway.dev
  git init -q -b main . && git add -A && git commit -q -m bench && git push -q "$SLIPWAY_GIT_URL/gitops.git" main
)

mkdir -p "$work/config"
cat > "$work/config/main.slip.hcl" <<HCL
provider "kubernetes" {
  qps   = 500
  burst = 1000
}
source "git" "gitops" {
  url  = "$SLIPWAY_GIT_URL/gitops.git"
  path = "apps"
}
app "bench" {
  for_each = toset(source.git.gitops.directories)
  source {
    repo = source.git.gitops
    path = each.key
  }
  sync { prune = true }
}
HCL
cd "$work/config"
"$bin/slipway" init >/dev/null

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN {print e - s}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "apps: $N, objects: $((N * 10)), runs of each no-op measurement: $RUNS"
first_slipway=$(secs "$bin/slipway" apply -auto-approve)
first_kubectl=$(secs "$kubectl" apply --server-side -R -f "$work/kubectl")
printf 'first apply      slipway %.2fs   kubectl apply --server-side %.2fs   ratio %.2f\n' \
  "$first_slipway" "$first_kubectl" "$(ratio "$first_slipway" "$first_kubectl")"

"$bin/slipway" plan -detailed-exitcode >/dev/null || { echo "the plan after apply is not a no-op"; exit 1; }
if [ -n "${BASELINE:-}" ]; then
  # The baseline plans a copy of the configuration and state, with its
  # own lock file: built-in providers are pinned by slipway's version.
  cp -a "$work/config" "$work/baseline"
  # Its own lock file: another slipway may not read this one's format.
  rm -f "$work/baseline/.slipway.lock.hcl"
  # And the state as a plain JSON document, which every slipway reads.
  "$bin/slipway" state pull > "$work/baseline/slipway.slipstate"
  rm -f "$work/baseline/slipway.slipstate.backup"
  (cd "$work/baseline" && "$BASELINE" init -upgrade > /dev/null)
  (cd "$work/baseline" && "$BASELINE" plan -detailed-exitcode > /dev/null) || { echo "the baseline's plan is not a no-op"; exit 1; }
fi
floor=() plan=() diff=() base=() stread=() start=() bstread=()
for ((r = 0; r < RUNS; r++)); do
  stread+=("$(SLIPWAY_LOG=debug "$bin/slipway" plan 2>&1 >/dev/null | sed -n 's/.*state: read in \([0-9.]*\)\(m\{0,1\}s\).*/\1 \2/p' | awk '{print ($2 == "ms") ? $1 / 1000 : $1}')")
  start+=("$(secs "$bin/slipway" version)")
  if [ -n "${BASELINE:-}" ]; then bstread+=("$(cd "$work/baseline" && secs "$BASELINE" state list)"); fi
  floor+=("$(secs "$kubectl" get configmaps,secrets,services,serviceaccounts -A -l app.kubernetes.io/managed-by=slipway -o name)")
  plan+=("$(secs "$bin/slipway" plan -detailed-exitcode)")
  if [ -n "${BASELINE:-}" ]; then base+=("$(cd "$work/baseline" && secs "$BASELINE" plan -detailed-exitcode)"); fi
  diff+=("$(secs "$kubectl" diff --server-side -R -f "$work/kubectl")")
done
f=$(printf '%s\n' "${floor[@]}" | median)
p=$(printf '%s\n' "${plan[@]}" | median)
d=$(printf '%s\n' "${diff[@]}" | median)
rss=$( { /usr/bin/time -f '%M' "$bin/slipway" plan -detailed-exitcode >/dev/null; } 2>&1 | tail -1)
printf 'no-op plan       slipway %.2fs   floor (LIST of each kind) %.2fs   ratio %.2f\n' "$p" "$f" "$(ratio "$p" "$f")"
printf '                 kubectl diff --server-side %.2fs   slipway/kubectl ratio %.2f\n' "$d" "$(ratio "$p" "$d")"
if [ -n "${BASELINE:-}" ]; then
  b=$(printf '%s\n' "${base[@]}" | median)
  printf '                 baseline %s %.2fs   this/baseline ratio %.2f\n' "$BASELINE" "$b" "$(ratio "$p" "$b")"
fi
printf 'peak RSS of a no-op plan: %d MiB (the largest of slipway and its provider processes)\n' $((rss / 1024))
rd=$(printf '%s\n' "${stread[@]}" | median)
st=$(printf '%s\n' "${start[@]}" | median)
printf 'state            %d bytes stored, %d bytes as JSON; the no-op plan reads it in %.2fs, %.1f%% of its time\n' \
  "$(stat -c %s slipway.slipstate)" "$("$bin/slipway" state pull | wc -c)" "$rd" "$(awk -v a="$rd" -v b="$p" 'BEGIN {print 100 * a / b}')"
if [ -n "${BASELINE:-}" ]; then
  bsr=$(printf '%s\n' "${bstread[@]}" | median)
  brd=$(awk -v a="$bsr" -v b="$st" 'BEGIN {d = (a - b) / 2; if (d < 0) d = 0; print d}')
  printf '                 baseline: %d bytes stored; reading it %.2fs ((state list %.2fs - start)/2), %.1f%% of its no-op plan\n' \
    "$(stat -c %s "$work/baseline/slipway.slipstate")" "$brd" "$bsr" "$(awk -v a="$brd" -v b="$b" 'BEGIN {print 100 * a / b}')"
fi

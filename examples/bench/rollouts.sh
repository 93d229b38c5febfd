#!/usr/bin/env bash
# The rollout benchmark: N apps (default 50), each in its own namespace
# with a Deployment of 4 replicas (kwok makes the pods Ready) and a
# Service, all following one canary of 4 steps:
#
#   set_weight 25 -> pause 3s -> set_weight 50 -> pause 3s -> 100%
#
# A new image for every app is committed at once, and one slipway apply
# rolls all N canaries out. The script prints the apply's wall time
# against the sum of one canary's pauses (what a perfect rollout of all
# the apps at once would take, waiting for nothing else), and the API
# requests the apply made, by verb, from the API server's own counts (the
# controllers' requests are counted too: kube-controller-manager scales
# the ReplicaSets slipway's steps ask for).
#
# Usage: examples/bench/rollouts.sh [N]    (make bench-rollouts, N=50)
set -euo pipefail
shopt -s inherit_errexit
N=${1:-50}
PAUSE=${PAUSE:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/bin"
work=$(mktemp -d -t slipway-rollouts.XXXXXX)
trap '"$bin/slipway-testbed" down --dir "$work/testbed" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
# Each plan here is made in its own process, as this benchmark always
# measured them; platform.sh measures the agent a plan starts by default.
export SLIPWAY_AGENT=off
"$bin/slipway-testbed" up --dir "$work/testbed" >/dev/null
# shellcheck disable=SC1091
source "$work/testbed/env"
kubectl="$bin/kubectl"
export KUBECONFIG

app_yaml() {
  local n=$1 image=$2
  printf '%s\n' "apiVersion: apps/v1
kind: Deployment
metadata:
  name: $n
spec:
  replicas: 4
  selector:
    matchLabels: {app: $n}
  template:
    metadata:
      labels: {app: $n}
    spec:
      containers:
      - name: app
        image: $image
        resources:
          requests: {cpu: 10m, memory: 32Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: $n
spec:
  selector: {app: $n}
  ports:
  - {port: 80, targetPort: 8080}"
}
gen() {
  local image=$1
  for i in $(seq -w 1 "$N"); do
    mkdir -p "$work/gitops/ro-$i"
    app_yaml "ro-$i" "$image" > "$work/gitops/ro-$i/objects.yaml"
  done
}

export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@slipway.dev GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@slipway.dev
gen registry.example/team/app:1.0.0
git init -q --bare -b main "$SLIPWAY_GIT_ROOT/gitops.git"
(cd "$work/gitops" && git init -q -b main . && git add -A && git commit -q -m "release 1" && git push -q "$SLIPWAY_GIT_URL/gitops.git" main)

mkdir -p "$work/config"
cat > "$work/config/main.slip.hcl" <<HCL
source "git" "gitops" {
  url = "$SLIPWAY_GIT_URL/gitops.git"
}

rollout "canary" {
  canary {
    step { set_weight = 25 }
    step {
      pause { duration = "${PAUSE}s" }
    }
    step { set_weight = 50 }
    step {
      pause { duration = "${PAUSE}s" }
    }
  }
}

app "team" {
  for_each = toset(source.git.gitops.directories)

  source {
    repo = source.git.gitops
    path = each.key
  }
  destination { namespace = each.key }
  sync {
    create_namespace = true
    wait { timeout = "10m" }
  }
  rollout {
    strategy = rollout.canary
  }
}
HCL
cd "$work/config"
"$bin/slipway" init >/dev/null
"$bin/slipway" apply -auto-approve > "$work/first.log" 2>&1 || { tail -n 30 "$work/first.log" >&2; exit 1; }

# requests: the API server's request counts so far, by verb.
requests() {
  "$kubectl" get --raw /metrics | awk '/^apiserver_request_total[{]/ {
    v = $0; sub(/.*verb="/, "", v); sub(/".*/, "", v)
    if ($0 ~ /dry_run="All"/) v = "dry-run " v
    n[v] += $NF
  } END { for (v in n) printf "%s\t%d\n", v, n[v] }' | sort
}

gen registry.example/team/app:2.0.0
(cd "$work/gitops" && git commit -q -am "release 2" && git push -q "$SLIPWAY_GIT_URL/gitops.git" main)
requests > "$work/requests.before"
s=$(date +%s.%N)
"$bin/slipway" apply -auto-approve > "$work/rollout.log" 2>&1 || { tail -n 30 "$work/rollout.log" >&2; exit 1; }
e=$(date +%s.%N)
requests > "$work/requests.after"
stable=$(grep -c 'is stable' "$work/rollout.log" || true)
if [ "$stable" -ne "$N" ]; then
  echo "only $stable of $N rollouts finished" >&2
  tail -n 30 "$work/rollout.log" >&2
  exit 1
fi
# Every app runs the new image, and no canary is left.
left=$("$kubectl" get deployments -A -l slipway.dev/rollout-role=canary -o name | wc -l)
old=$("$kubectl" get deployments -A -l app.kubernetes.io/managed-by=slipway -o jsonpath='{range .items[*]}{.spec.template.spec.containers[0].image}{"\n"}{end}' | grep -c ':1.0.0' || true)
if [ "$left" -ne 0 ] || [ "$old" -ne 0 ]; then
  echo "after the rollout: $left canaries left, $old Deployments on the old image" >&2
  exit 1
fi

wall=$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.2f", e - s}')
pauses=$((2 * PAUSE))
echo "rollout benchmark: $N apps, each a canary of 4 steps (set_weight 25, pause ${PAUSE}s, set_weight 50, pause ${PAUSE}s), in one apply"
echo "  wall time of the apply:      ${wall}s"
echo "  sum of one canary's pauses:  ${pauses}s"
awk -v w="$wall" -v p="$pauses" 'BEGIN {printf "  ratio:                       %.2f\n", w / p}'
echo "  API requests during the apply (all clients), by verb:"
awk -F'\t' -v n="$N" 'NR == FNR {b[$1] = $2; next} {d = $2 - b[$1]; if (d > 0) {printf "    %-16s %7d  (%.1f per app)\n", $1, d, d / n; t += d}}
  END {printf "    %-16s %7d  (%.1f per app)\n", "total", t, t / n}' "$work/requests.before" "$work/requests.after"

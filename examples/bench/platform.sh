#!/usr/bin/env bash
# The platform-team benchmark: the shape platform teams sync, on one local
# control plane (slipway-testbed), every figure in one run.
#
# The shape: N apps (default 1000), each in its own namespace, which the
# app creates (sync { create_namespace = true }), with 10 objects each: a
# Deployment (1 replica; kwok makes its pod Ready), a Service, a
# ServiceAccount, two ConfigMaps, a Secret, a Role, a RoleBinding, a
# PodDisruptionBudget and a HorizontalPodAutoscaler (autoscaling/v2). They
# are synced with for_each over the directories of a git source, with
# prune, a wait for health, and the kubernetes provider at its defaults
# (no qps or burst: the provider then has no client-side limit, since the
# testbed's API server has API Priority and Fairness). The testbed runs no
# horizontal pod autoscaler controller: it has no metrics API, and the
# controller's Warning events about it (130 writes a second at 1,000 apps)
# would take a core of the machine from every figure below.
#
# The floor is examples/bench/floor, a small client-go program tuned only
# as a careful engineer would (no client-side rate limiter under API
# Priority and Fairness). The script prints, in this order:
#
#   crowded cluster   a no-op plan of CROWD_APPS apps (default 100, or N
#                     when N is smaller) in an otherwise empty cluster, then
#                     again once the cluster also holds CROWD_OTHERS objects
#                     of the same ten kinds that slipway does not manage
#                     (default 100 per app: 10,000 for 100 apps), in other
#                     namespaces; their Deployments have 0 replicas, so what
#                     grows is what a LIST has to sift, not the pods. The
#                     ratio crowded/empty says whether plans stay fast as
#                     clusters grow; the floor's is beside it, and so is
#                     the ratio of the CPU slipway and its providers
#                     spent. On a machine that also runs the control
#                     plane the wall clock moves with what the controllers
#                     do about the new objects (their ReplicaSets, the
#                     namespaces' service accounts and certificates), so
#                     both plans are measured once the cluster has settled
#                     (the API server takes at most a write a second,
#                     waited for up to three minutes); the plan and the
#                     floor right after the objects were made are shown
#                     too. All of this is measured first, and its
#                     namespaces are deleted before the rest.
#   first apply       slipway apply of the N apps (plan, apply, wait for
#                     health), against `floor apply`: the same manifests
#                     applied into other namespaces with server-side apply
#                     by 32 goroutines (Namespaces first), then a wait
#                     until every Deployment is Available; the floor's two
#                     parts are shown. kubectl apply --server-side of the
#                     same manifests into a third set of namespaces is there
#                     for reference; it does not wait. The requests of
#                     slipway's first apply are counted, and the run
#                     stops if it LISTs the apps' kinds once per app. The
#                     peak RSS of slipway and each provider, as for the
#                     no-op plan below (sampled while it runs).
#   no-op plan        slipway plan with nothing to do, against the floor:
#                     `floor list`, the wall clock of one LIST of each of
#                     the ten kinds across all namespaces, all in parallel,
#                     with the label slipway puts on what it manages (what
#                     it must read to know the apps' objects; process start
#                     is not counted), and the CPU of slipway and its
#                     providers; then the CPU the whole machine spent
#                     during the plan, during its fixed part (below) and
#                     during the floor program's run (/proc/stat: every
#                     process, the API server's and the controllers'
#                     too), beside what a plan of 1.5 floors could
#                     spend on this machine's cores: how long the cores
#                     were busy says whether the plan waited or worked.
#                     Beside it, what every plan pays before
#                     its first app: a no-op plan of the same source and
#                     providers syncing no apps (a path with no
#                     directories), and what the plan costs beyond that;
#                     and the floor program's whole run, process start and
#                     client set-up counted, as slipway's are; and the
#                     floor asking for JSON, as older releases of
#                     client-go's typed clients did (they ask for
#                     protobuf now, which
#                     the API server encodes and they decode several times
#                     faster; clients of objects they do not compile in,
#                     kubectl's and slipway's, ask for JSON). Then the
#                     LISTs, APPLYs and dry-run
#                     APPLYs the API server counted during one no-op plan
#                     (10, 0 and 0 when no object costs a request of its
#                     own; with at most eight apps, each in its own
#                     namespace, a LIST of Namespaces and one of each other
#                     kind in each namespace), and kubectl diff
#                     --server-side of the same
#                     manifests against the objects slipway applied (timed
#                     after all the rounds: its dry runs keep the server
#                     busy after it returns).
#                     Then the same plan with -refresh=false, which
#                     reads no object: what slipway and its providers
#                     cost before any LIST. And the same plan as a user
#                     makes it by default: the first plan starts an agent
#                     (slipway agent; timed apart), which makes the later
#                     ones, keeping the providers running and
#                     the state read between plans (timed in the rounds,
#                     then in AGENT_RUNS more rounds, default 10, each
#                     right after the floor: the median of their ratios
#                     is the gate's figure), with the agent's peak
#                     RSS and its providers', and the requests of one more
#                     plan it makes (none once the kubernetes provider's
#                     watches of what it LISTs across the cluster have
#                     synced).
#   peak RSS          of a no-op plan: slipway itself and each provider
#                     process it starts (VmHWM, sampled every 50ms until
#                     they exit, and in brackets the largest anonymous RSS
#                     seen, which leaves out the executable's pages), and
#                     what /usr/bin/time -v reports, which is the largest of
#                     slipway and the children it waited for.
#   other commands    once each, with nothing to do: slipway status of
#                     the N apps, plan -out, and show -json of that plan.
#   one app's commit  a ConfigMap value changed in one app's directory,
#                     committed and pushed: every app's source moves, one
#                     app's objects change. slipway plan (and how many apps
#                     it changes: 1) and apply, and the requests the apply
#                     made.
#   re-apply          one ConfigMap value changed in every app's directory,
#                     committed and pushed; slipway apply against floor
#                     apply of every object again (a raw client does not
#                     know what changed), the requests slipway's apply
#                     made and its peak RSS, and kubectl apply
#                     --server-side.
#   destroy           slipway destroy of the N apps, each waiting until
#                     its objects are gone (a Deployment goes in the
#                     foreground, after its ReplicaSet and pod: the
#                     cluster's garbage collector sets the pace), the
#                     requests it made, and the objects of the apps left
#                     in the cluster afterwards (0; the Namespaces that
#                     create_namespace made stay, as Argo CD leaves them).
#                     The run stops if the waits LIST what they wait for
#                     again and again: a destroy LISTs each kind once per
#                     app before it deletes, and once more at most for
#                     what went before the watch of its kind started (a
#                     poll tells that from an object whose label was
#                     taken off), not once a second while it waits.
#
# The no-op plans and their floors are run RUNS times in turn and the
# median is reported; applies are run once. Ratios are slipway's figure
# over the other one.
#
# With BASELINE=/path/to/another/slipway, the no-op plan is also timed with
# that binary, run by run in turn with this one, on a copy of this run's
# configuration and state (re-initialised for that binary), and the
# median of the rounds' ratios is reported.
#
# usage: examples/bench/platform.sh [N] [RUNS]      (make build testbed first)
#
# The full size is the default, N=1000 and RUNS=5: 1,000 apps, then 33,000
# objects and 3,000 pods once the floor's and kubectl's copies are made,
# after a crowded case of 100 apps among 10,000 other objects. Run it on a
# quiet machine; a quick check of the script itself is
#   examples/bench/platform.sh 30 2
set -euo pipefail
shopt -s inherit_errexit
N=${1:-1000}
RUNS=${2:-5}
CROWD_APPS=${CROWD_APPS:-$((N < 100 ? N : 100))}
CROWD_OTHERS=${CROWD_OTHERS:-$((CROWD_APPS * 100))}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/bin"
work=$(mktemp -d -t slipway-platform.XXXXXX)
trap '"$bin/slipway-testbed" down --dir "$work/testbed" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# slipway runs from a copy, as it runs once installed. On this kernel a
# binary the Go linker has just written maps about 35 MiB more of its own
# file into every process until the page cache is dropped (`slipway
# version` peaks at 96 MiB, and at 60 MiB from a copy or after a drop):
# that would be counted in every peak below, and an installed slipway
# does not pay it.
slipway="$work/slipway"
cp "$bin/slipway" "$slipway"
# Every slipway command below plans in its own process, but the plans of
# agent-config: those are what a user gets by default, where the first
# plan starts an agent (slipway agent) and it makes the next ones,
# measured apart.
export SLIPWAY_AGENT=off

(cd "$root" && GOTOOLCHAIN=local "${GO:-go}" build -o "$work/floor" ./examples/bench/floor)
floor="$work/floor"
"$bin/slipway-testbed" up --dir "$work/testbed" >/dev/null
# shellcheck disable=SC1091
source "$work/testbed/env"
kubectl="$bin/kubectl"
export KUBECONFIG

# app_yaml NS NAME REPLICAS RELEASE: the ten objects of one app.
app_yaml() {
  local ns=$1 n=$2 replicas=$3 release=$4
  printf '%s\n' "apiVersion: v1
kind: ServiceAccount
metadata:
  name: $n
  namespace: $ns
---
apiVersion: v1
kind: Secret
metadata:
  name: $n-credentials
  namespace: $ns
type: Opaque
stringData:
  token: token-$n
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: $n-env
  namespace: $ns
data:
  LOG_LEVEL: info
  LISTEN_ADDR: \":8080\"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: $n-settings
  namespace: $ns
data:
  release: \"$release\"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: $n
  namespace: $ns
rules:
- apiGroups: [\"\"]
  resources: [configmaps]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: $n
  namespace: $ns
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: $n
subjects:
- kind: ServiceAccount
  name: $n
  namespace: $ns
---
apiVersion: v1
kind: Service
metadata:
  name: $n
  namespace: $ns
spec:
  selector:
    app: $n
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $n
  namespace: $ns
  labels:
    app: $n
spec:
  replicas: $replicas
  selector:
    matchLabels:
      app: $n
  template:
    metadata:
      labels:
        app: $n
    spec:
      serviceAccountName: $n
      containers:
      - name: app
        image: registry.example/team/app:1.0.0
        ports:
        - containerPort: 8080
        envFrom:
        - configMapRef:
            name: $n-env
        resources:
          requests:
            cpu: 10m
            memory: 32Mi
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: $n
  namespace: $ns
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: $n
  minReplicas: 1
  maxReplicas: 3
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 80
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: $n
  namespace: $ns
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: $n"
}

namespace_yaml() { printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' "$1"; }

# gen OUT COUNT APP_PREFIX NS_PREFIX [with-namespace]: one directory per
# app, APP_PREFIXNNNN, in namespace NS_PREFIXAPP_PREFIXNNNN. slipway's
# copies leave the Namespace to create_namespace; the others hold it.
gen() {
  local out=$1 count=$2 aprefix=$3 nsprefix=$4 withns=${5:-}
  for ((i = 0; i < count; i++)); do
    local app ns
    app=$(printf '%s%04d' "$aprefix" "$i")
    ns="$nsprefix$app"
    mkdir -p "$out/$app"
    if [ -n "$withns" ]; then namespace_yaml "$ns" > "$out/$app/00-namespace.yaml"; fi
    app_yaml "$ns" "$app" 1 1 > "$out/$app/objects.yaml"
  done
}

# The objects slipway does not manage: 100 per namespace, 10 sets of the
# ten objects, Deployments at 0 replicas.
gen_others() {
  local out=$1 sets=$(($2 / 10))
  for ((j = 0; j < sets; j++)); do
    local set ns
    set=$(printf 'other-%05d' "$j")
    ns=$(printf 'others-%03d' $((j / 10)))
    mkdir -p "$out/$set"
    if ((j % 10 == 0)); then namespace_yaml "$ns" > "$out/$set/00-namespace.yaml"; fi
    app_yaml "$ns" "$set" 0 1 > "$out/$set/objects.yaml"
  done
}

gen "$work/gitops/apps" "$N" app- ""
gen "$work/gitops/crowd" "$CROWD_APPS" crowd- ""
gen "$work/raw" "$N" app- raw- with-namespace
gen "$work/kubectl" "$N" app- kc- with-namespace
gen_others "$work/others" "$CROWD_OTHERS"

export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@slipway.dev GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@slipway.dev
git init -q --bare -b main "$SLIPWAY_GIT_ROOT/gitops.git"
(cd "$work/gitops" && git init -q -b main . && git add -A && git commit -q -m bench && git push -q "$SLIPWAY_GIT_URL/gitops.git" main)

# config DIR PATH: a configuration syncing every directory under PATH of
# the gitops repository, one app per directory, each in its own namespace.
config() {
  mkdir -p "$1"
  cat > "$1/main.slip.hcl" <<HCL
source "git" "gitops" {
  url  = "$SLIPWAY_GIT_URL/gitops.git"
  path = "$2"
}

app "team" {
  for_each = toset(source.git.gitops.directories)

  source {
    repo = source.git.gitops
    path = each.key
  }
  destination { namespace = each.key }
  sync {
    prune            = true
    create_namespace = true
    wait { timeout = "15m" }
  }
}
HCL
  (cd "$1" && "$slipway" init >/dev/null)
}

# secs CMD...: the wall clock of CMD in seconds. A failing CMD stops the
# benchmark: a fast failure is not a figure.
secs() {
  local s e rc=0
  s=$(date +%s.%N)
  "$@" > "$work/last.log" 2>&1 || rc=$?
  e=$(date +%s.%N)
  if [ "$rc" -ne 0 ]; then
    echo "failed (exit $rc): $*" >&2
    tail -n 30 "$work/last.log" >&2
    return 1
  fi
  awk -v s="$s" -v e="$e" 'BEGIN {print e - s}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
floor_list() { "$floor" list -l app.kubernetes.io/managed-by=slipway "$@" 2>> "$work/floor.log"; }
# noop: a no-op plan. Its CPU seconds (user and system, of slipway and of
# the providers it waited for) are appended to noop.cpu: on a machine that
# also runs the control plane, the wall clock moves with what the
# controllers do, and the CPU says what slipway itself spent.
noop() {
  /usr/bin/time -f '%U %S' -o "$work/noop.time" "$slipway" plan -detailed-exitcode || return
  tail -n 1 "$work/noop.time" | awk '{print $1 + $2}' >> "$work/noop.cpu"
}
cpu_median() { median < "$work/noop.cpu"; }
# busy: the CPU seconds the whole machine has spent so far, every process
# counted (user, nice, system, irq, softirq, steal of /proc/stat).
# machine FILE CMD...: runs CMD as secs does and appends the machine's
# CPU seconds meanwhile to FILE: what slipway, its providers, the API
# server, etcd and the controllers spent together. On a machine whose
# cores that keeps busy, a command can take no less than it divided by
# the number of cores.
tick=$(getconf CLK_TCK)
busy() { awk -v t="$tick" '/^cpu / {print ($2 + $3 + $4 + $7 + $8 + $9) / t; exit}' /proc/stat; }
machine() {
  local f=$1 b0 b1 s
  shift
  b0=$(busy)
  s=$(secs "$@") || return
  b1=$(busy)
  awk -v a="$b0" -v b="$b1" 'BEGIN {print b - a}' >> "$f"
  echo "$s"
}
mib() { awk -v k="$1" 'BEGIN {printf "%d MiB", k / 1024}'; }

# sampled CMD...: runs CMD, and samples until it exits the VmHWM of
# slipway and of each provider process it starts, and the largest RssAnon
# seen (VmHWM also counts the pages of the executable, which the
# processes share), into hwm and anon by role ("slipway", "provider
# git"...). CMD is slipway, or a program that runs slipway (time). The
# samples are 50 ms apart.
declare -A hwm=() anon=() role=()
named_slipway="" # the PID named slipway in this run
sampled() {
  hwm=() anon=() role=() named_slipway=""
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2> /dev/null; do
    sample "$pid" top
    sleep 0.05
  done
  wait "$pid"
}
# sample PID [top|child]: VmHWM of slipway or of a provider, and of their
# children. Under a program that runs slipway, slipway is its child.
sample() {
  local pid=$1 how=${2:-child} k v _ args kids c t
  [ -r "/proc/$pid/status" ] || return 0
  if [ -z "${role[$pid]:-}" ]; then
    # A process without a role yet is looked at again at the next
    # sample: a child caught between fork and exec still shows slipway's
    # command line (it is named once it runs a provider), a program that
    # runs slipway (time) never gets one, and a process that has exited
    # and is not reaped yet has no command line at all.
    args=()
    mapfile -d "" -t args 2> /dev/null < "/proc/$pid/cmdline" || true
    local name=${args[0]:-}
    case "${name##*/}:${args[*]:1}" in
      *:"provider serve "*) role[$pid]="provider ${args[3]:-}" ;;
      "${slipway##*/}":*) if [ "$how" = top ] || [ -z "$named_slipway" ]; then role[$pid]=slipway; named_slipway=$pid; fi ;;
    esac
  fi
  local r=${role[$pid]:-}
  if [ -n "$r" ]; then
    while read -r k v _; do
      case $k in
        VmHWM:) if ((v > ${hwm[$r]:-0})); then hwm[$r]=$v; fi ;;
        RssAnon:) if ((v > ${anon[$r]:-0})); then anon[$r]=$v; fi ;;
      esac
    done 2> /dev/null < "/proc/$pid/status" || true
  fi
  # Each thread has its own list of the children it started, with no
  # newline at its end.
  for t in "/proc/$pid/task/"*; do
    kids=""
    read -r kids 2> /dev/null < "$t/children" || true
    for c in $kids; do sample "$c" child; done
  done
}
# peaks: what sampled found, as a line.
peaks() {
  local line r
  line="slipway $(mib "${hwm[slipway]:-0}") (anonymous $(mib "${anon[slipway]:-0}"))"
  while read -r r; do
    if [ -n "$r" ] && [ "$r" != slipway ]; then line+="   $r $(mib "${hwm[$r]}") ($(mib "${anon[$r]:-0}"))"; fi
  done < <(printf '%s\n' "${!hwm[@]}" | sort)
  echo "$line"
}
# requests: the API server's request counts so far, by verb ("dry-run
# APPLY" apart) and, for LISTs, by resource, from its metrics. The
# difference of two is what happened between them, from every client.
requests() {
  "$kubectl" get --raw /metrics | awk '/^apiserver_request_total[{]/ {
    v = $0; sub(/.*verb="/, "", v); sub(/".*/, "", v)
    if ($0 ~ /dry_run="All"/) v = "dry-run " v
    if (v == "LIST") { r = $0; sub(/.*[{,]resource="/, "", r); sub(/".*/, "", r); v = v " " r }
    n[v] += $NF
  } END { for (v in n) printf "%s\t%d\n", v, n[v] }'
}
# requests_between BEFORE AFTER: the LISTs, APPLYs and dry-run APPLYs
# made between two counts. LISTs of what the apps hold (their ten kinds
# and Namespaces) are counted as slipway's; LISTs of anything else are
# the cluster's own clients' (a controller's informer listing again, the
# namespace controller emptying a namespace), shown apart with the
# resources they read.
requests_between() {
  awk -F'\t' 'NR == FNR {b[$1] = $2; next} {a[$1] = $2}
    END {
      split("namespaces deployments services serviceaccounts configmaps secrets roles rolebindings poddisruptionbudgets horizontalpodautoscalers", k, " ")
      for (i in k) apps["LIST " k[i]] = 1
      for (v in a) {
        if (v !~ /^LIST / || a[v] == b[v]) continue
        if (v in apps) mine += a[v] - b[v]
        else { other += a[v] - b[v]; r = v; sub(/^LIST /, "", r); which = which sprintf("%s%s %d", which == "" ? "" : ", ", r, a[v] - b[v]) }
      }
      printf "%d LIST, %d APPLY, %d dry-run APPLY", mine, a["APPLY"] - b["APPLY"], a["dry-run APPLY"] - b["dry-run APPLY"]
      if (other) printf " (and %d LISTs of other resources, by the cluster'"'"'s own clients: %s)", other, which
    }' "$1" "$2"
}
# writes: the API server's count so far of the requests that change
# something (not GET, LIST or WATCH; not dry runs), from every client.
writes() {
  requests | awk -F'\t' '$1 !~ /^(GET|LIST|WATCH|dry-run)/ {n += $2} END {print n + 0}'
}
# write_rate SECONDS: the writes per second the API server takes over the
# next SECONDS seconds.
write_rate() {
  local a b
  a=$(writes); sleep "$1"; b=$(writes)
  awk -v n=$((b - a)) -v s="$1" 'BEGIN {printf "%.1f", n / s}'
}
# quiesce: waits, up to three minutes, until the cluster's controllers are
# done with what was just made: until the API server takes no more than a
# write a second over three seconds (a settled testbed takes about one in
# ten seconds). Prints the seconds it waited, and "(not settled)" after
# them when it gave up.
quiesce() {
  local start rate waited
  start=$(date +%s.%N)
  while :; do
    rate=$(write_rate 3)
    waited=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.0f", e - s}')
    if awk -v r="$rate" 'BEGIN {exit !(r <= 1)}'; then
      echo "$waited"
      return
    fi
    if ((waited > 180)); then
      echo "$waited (not settled)"
      return
    fi
  done
}
# floor_split: what the last floor apply said of its two parts.
floor_split() {
  awk '/applied in/ {for (i = 1; i < NF; i++) if ($i == "in") a = $(i + 1)}
    /Available after another/ {w = $NF} END {printf "applies %s, then %s until Available", a, w}' "$work/last.log"
}

# kubectl_diff DIR: kubectl diff --server-side, which exits 1 when it
# finds differences; they are kept in kdiff.out.
kubectl_diff() {
  local rc=0
  "$kubectl" diff --server-side -R -f "$1" > "$work/kdiff.out" 2>&1 || rc=$?
  [ "$rc" -le 1 ]
}

# noop_runs: RUNS no-op plans of the configuration in the current
# directory and RUNS floors, in turn; prints "plan floor plan-CPU" medians.
noop_runs() {
  local plan=() fl=()
  : > "$work/noop.cpu"
  for ((r = 0; r < RUNS; r++)); do
    fl+=("$(floor_list)")
    plan+=("$(secs noop)")
  done
  echo "$(printf '%s\n' "${plan[@]}" | median) $(printf '%s\n' "${fl[@]}" | median) $(cpu_median)"
}

echo "platform benchmark: $N apps x 10 objects, each app in its own namespace; medians of $RUNS runs"

# --- The crowded cluster, first, while the cluster is empty.
config "$work/crowd-config" crowd
cd "$work/crowd-config"
secs "$slipway" apply -auto-approve > /dev/null
noop > /dev/null || { echo "the crowd's plan after apply is not a no-op"; exit 1; }
quiesce > /dev/null
res=$(noop_runs)
read -r crowd_empty floor_empty cpu_empty <<< "$res"
others_secs=$(secs "$floor" apply -manager other "$work/others")
res=$(noop_runs)
read -r crowd_busy floor_busy _ <<< "$res"
settled=$(quiesce)
res=$(noop_runs)
read -r crowd_full floor_full cpu_full <<< "$res"
printf 'crowded cluster  %d apps, no-op plan: empty %.2fs   with %d other objects %.2fs   ratio %.2f\n' \
  "$CROWD_APPS" "$crowd_empty" "$CROWD_OTHERS" "$crowd_full" "$(ratio "$crowd_full" "$crowd_empty")"
printf '                 floor: empty %.3fs   crowded %.3fs   ratio %.2f   (the other objects took %.1fs to make)\n' \
  "$floor_empty" "$floor_full" "$(ratio "$floor_full" "$floor_empty")" "$others_secs"
printf '                 right after they were made, the controllers still at work on them: %.2fs   floor %.3fs\n' \
  "$crowd_busy" "$floor_busy"
printf '                 (both measured once the cluster settled: crowded %ss after the objects were made)\n' \
  "$settled"
printf '                 slipway/floor ratio: empty %.1f   crowded %.1f\n' \
  "$(ratio "$crowd_empty" "$floor_empty")" "$(ratio "$crowd_full" "$floor_full")"
printf '                 CPU of slipway and its providers: empty %.2fs   crowded %.2fs   ratio %.2f\n' \
  "$cpu_empty" "$cpu_full" "$(ratio "$cpu_full" "$cpu_empty")"
mapfile -t gone < <("$kubectl" get namespaces -o name | grep -E '^namespace/(crowd-|others-)')
"$kubectl" delete --wait=true --timeout=30m "${gone[@]}" > /dev/null

# --- The N apps.
config "$work/config" apps
# The same source and providers, syncing no apps: the first app's
# directory has no directories of its own.
config "$work/fixed-config" apps/app-0000
(cd "$work/fixed-config" && secs "$slipway" apply -auto-approve > /dev/null)
cd "$work/config"
requests > "$work/requests.before"
# In this shell, not in $(...): sampled leaves its peaks in hwm and anon.
secs sampled "$slipway" apply -auto-approve > "$work/secs"
first_slipway=$(cat "$work/secs")
first_peaks=$(peaks)
requests > "$work/requests.after"
first_requests=$(requests_between "$work/requests.before" "$work/requests.after")
noop > /dev/null || { echo "the plan after apply is not a no-op"; exit 1; }
# The LISTs of the apps' kinds a first apply may make: by label, one per
# kind in each namespace up to eight and one per kind beyond; one per
# kind for the waits; a few more. Not one per kind and app: nothing is
# in a namespace that does not exist yet.
first_lists=${first_requests%% LIST*}
max_lists=$((10 * (N < 8 ? N : 8) + 15))
[ "$first_lists" -le "$max_lists" ] || { echo "the first apply made $first_lists LISTs of the apps' kinds, more than $max_lists: $first_requests"; exit 1; }

if [ -n "${BASELINE:-}" ]; then
  cp -a "$work/config" "$work/baseline"
  # Its own lock file: another slipway may not read this one's format.
  rm -f "$work/baseline/.slipway.lock.hcl"
  # Run from a copy too, as slipway is (above).
  cp "$BASELINE" "$work/baseline-slipway"
  (cd "$work/baseline" && "$work/baseline-slipway" init -upgrade > /dev/null)
fi
# The same no-op plan as a user makes it by default, from a copy of the
# configuration (an agent serves one directory): the first plan starts
# an agent and has it make the plan (timed apart: it starts the providers
# and reads the state), and the agent makes the later ones.
# SLIPWAY_AGENT=on is the default outside CI, where this may run.
cp -a "$work/config" "$work/agent-config"
agent_first=$(cd "$work/agent-config" && SLIPWAY_AGENT=on secs "$slipway" plan -detailed-exitcode) ||
  { echo "the first plan, which starts the agent, is not a no-op"; cat "$work/agent-config/.slipway/agent.log"; exit 1; }
grep -q '^slipway: started an agent' "$work/last.log" ||
  { echo "the first plan started no agent"; cat "$work/last.log"; exit 1; }
agent_pid=$(sed -n 's/.*(process \([0-9]*\);.*/\1/p' "$work/last.log")
agent_plan() { (cd "$work/agent-config" && SLIPWAY_AGENT=on "$slipway" plan -detailed-exitcode); }
plan=() fl=() diff=() base=() fixed=() whole=() fljson=() norefresh=() agentp=()
: > "$work/noop.cpu"
: > "$work/noop.machine"
: > "$work/floor.machine"
: > "$work/fixed.machine"
# settle: each command timed in the rounds starts SETTLE seconds (0.5)
# after the last one ended, so that none is charged for what the one
# before left running: the API server's collection of the 11,000
# objects a LIST just encoded, a plan's providers exiting, the agent's
# collection after its plan.
settle() { sleep "${SETTLE:-0.5}"; }
for ((r = 0; r < RUNS; r++)); do
  settle; fl+=("$(floor_list)")
  settle; agentp+=("$(secs agent_plan)")
  settle; fixed+=("$(cd "$work/fixed-config" && machine "$work/fixed.machine" "$slipway" plan -detailed-exitcode)")
  settle; whole+=("$(machine "$work/floor.machine" floor_list)")
  settle; fljson+=("$(floor_list -json)")
  # With a baseline, the two take turns at going first.
  if [ -n "${BASELINE:-}" ] && ((r % 2 == 1)); then
    settle; base+=("$(cd "$work/baseline" && secs "$work/baseline-slipway" plan -detailed-exitcode)")
    settle; plan+=("$(machine "$work/noop.machine" noop)")
  else
    settle; plan+=("$(machine "$work/noop.machine" noop)")
    if [ -n "${BASELINE:-}" ]; then settle; base+=("$(cd "$work/baseline" && secs "$work/baseline-slipway" plan -detailed-exitcode)"); fi
  fi
  settle; norefresh+=("$(secs "$slipway" plan -refresh=false -detailed-exitcode)")
done
# The agent's plans again, each paired with the floor right before it:
# a plan of a fifth of a second moves with what the controllers do in
# that moment, so the gate's figure is the median of the ratios of
# AGENT_RUNS rounds (10 unless set, and never fewer than RUNS), as for the
# baseline below.
agent_runs=${AGENT_RUNS:-10}
((agent_runs >= RUNS)) || agent_runs=$RUNS
apair=() fpair=()
for ((r = 0; r < agent_runs; r++)); do
  settle; fpair+=("$(floor_list)")
  settle; apair+=("$(secs agent_plan)")
done
# kubectl diff last, RUNS times: its 11,000 dry-run requests keep the API
# server and etcd busy for a while after it returns, which would be
# charged to whatever came next in a round.
for ((r = 0; r < RUNS; r++)); do
  settle; diff+=("$(secs kubectl_diff "$work/gitops/apps")")
done
p=$(printf '%s\n' "${plan[@]}" | median)
pcpu=$(cpu_median)
f=$(printf '%s\n' "${fl[@]}" | median)
d=$(printf '%s\n' "${diff[@]}" | median)
fx=$(printf '%s\n' "${fixed[@]}" | median)
wh=$(printf '%s\n' "${whole[@]}" | median)
fj=$(printf '%s\n' "${fljson[@]}" | median)
nr=$(printf '%s\n' "${norefresh[@]}" | median)
ap=$(printf '%s\n' "${agentp[@]}" | median)
# The requests of one more plan through the agent: once the watches of
# its kubernetes provider have synced, it LISTs nothing.
requests > "$work/requests.before"
agent_plan > /dev/null 2>&1 ||
  { echo "the agent's plan measured for its requests is not a no-op"; cat "$work/agent-config/.slipway/agent.log"; exit 1; }
requests > "$work/requests.after"
agent_requests=$(requests_between "$work/requests.before" "$work/requests.after")
# The agent's peaks (VmHWM: since it started), and those of the providers
# it kept; then it is stopped. Every plan timed must have been its.
hwm=() anon=() role=() named_slipway=""
sample "$agent_pid" top
agent_peaks=$(peaks)
(cd "$work/agent-config" && "$slipway" agent -stop > /dev/null) || { echo "slipway agent -stop failed"; exit 1; }
served=$(grep -c 'plan -detailed-exitcode: exit 0 in' "$work/agent-config/.slipway/agent.log" || true)
[ "$served" -eq $((RUNS + agent_runs + 2)) ] || { echo "the agent made $served of the $((RUNS + agent_runs + 2)) plans"; cat "$work/agent-config/.slipway/agent.log"; exit 1; }

# One more no-op plan, for its memory: /usr/bin/time -v, and the peaks
# of slipway and each provider (see sampled).
requests > "$work/requests.before"
sampled /usr/bin/time -v -o "$work/time-v.txt" "$slipway" plan -detailed-exitcode > /dev/null 2>&1 ||
  { echo "the no-op plan measured for memory failed"; cat "$work/time-v.txt"; exit 1; }
noop_peaks=$(peaks)
timev=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time-v.txt")
requests > "$work/requests.after"
noop_requests=$(requests_between "$work/requests.before" "$work/requests.after")

# What a team runs beside plan, once each: the apps' live status, and a
# saved plan shown as JSON, as a pull request's check does.
status_s=$(secs "$slipway" status)
out_s=$(secs "$slipway" plan -out="$work/noop.plan")
show_s=$(secs "$slipway" show -json "$work/noop.plan")

printf 'first apply      slipway %.2fs   (the other two follow, so they meet a fuller cluster)\n' "$first_slipway"
echo "                 requests of slipway's first apply: $first_requests"
echo "                 peak RSS of slipway's first apply: $first_peaks"
first_floor=$(secs "$floor" apply -manager bench "$work/raw")
first_floor_split=$(floor_split)
first_kubectl=$(secs "$kubectl" apply --server-side -R -f "$work/kubectl")
printf '                 floor (32 workers, server-side apply, wait for Available) %.2fs   ratio %.2f\n' \
  "$first_floor" "$(ratio "$first_slipway" "$first_floor")"
echo "                 (the floor: $first_floor_split)"
printf '                 kubectl apply --server-side (no wait) %.2fs   ratio %.2f\n' \
  "$first_kubectl" "$(ratio "$first_slipway" "$first_kubectl")"

listed=$(awk '/^floor list:/ {n = $3} END {print n + 0}' "$work/floor.log")
printf 'no-op plan       slipway in its own process (-agent=false) %.2fs   floor (LIST of the 10 kinds, %d objects) %.3fs   ratio %.2f\n' "$p" "$listed" "$f" "$(ratio "$p" "$f")"
printf '                 CPU of slipway and its providers %.2fs (user and system)\n' "$pcpu"
cores=$(nproc)
pm=$(median < "$work/noop.machine")
fm=$(median < "$work/floor.machine")
xm=$(median < "$work/fixed.machine")
busyfor=$(awk -v c="$pm" -v n="$cores" 'BEGIN {print c / n}')
allowed=$(awk -v f="$f" -v n="$cores" 'BEGIN {print 1.5 * f * n}')
printf '                 CPU of the whole machine (every process: slipway, its providers, the API server, etcd, the controllers) during the plan %.2fs (%d cores busy for %.2fs of its %.2fs), during its fixed part (below) %.2fs, during the floor program'"'"'s run %.2fs; a plan of 1.5 floors has %.2fs of CPU on %d cores\n' \
  "$pm" "$cores" "$busyfor" "$p" "$xm" "$fm" "$allowed" "$cores"
rest=$(awk -v p="$p" -v x="$fx" 'BEGIN {print p - x}')
printf '                 every plan'"'"'s fixed part (the same source and providers, no apps) %.2fs = %.2f floors; the rest %.2fs = %.2f floors\n' \
  "$fx" "$(ratio "$fx" "$f")" "$rest" "$(ratio "$rest" "$f")"
printf '                 the floor program'"'"'s whole run (process start and client set-up counted) %.3fs   slipway/whole floor ratio %.2f\n' \
  "$wh" "$(ratio "$p" "$wh")"
printf '                 the floor asking for JSON (as older client-go typed clients did) %.3fs   slipway/JSON floor ratio %.2f\n' \
  "$fj" "$(ratio "$p" "$fj")"
printf '                 by default, made by the agent the first plan started (providers kept running, the state read once) %.2fs = %.2f floors   agent/own-process ratio %.2f\n' \
  "$ap" "$(ratio "$ap" "$f")" "$(ratio "$ap" "$p")"
apm=$(printf '%s\n' "${apair[@]}" | median)
fpm=$(printf '%s\n' "${fpair[@]}" | median)
apr=$(for ((r = 0; r < agent_runs; r++)); do ratio "${apair[r]}" "${fpair[r]}"; echo; done | median)
printf '                 the agent'"'"'s plan in %d rounds, each right after the floor: %.2fs against %.3fs   ratio %.2f (the median of each round'"'"'s ratio)\n' \
  "$agent_runs" "$apm" "$fpm" "$apr"
printf '                 the first plan, which started the agent %.2fs = %.2f floors\n' "$agent_first" "$(ratio "$agent_first" "$f")"
echo "                 peak RSS of the agent and the providers it kept: $agent_peaks"
echo "                 requests of one plan made by the agent: $agent_requests"
echo "                 requests of one no-op plan: $noop_requests"
printf '                 the same plan with -refresh=false (it reads no object: slipway and its providers alone) %.2fs = %.2f floors\n' \
  "$nr" "$(ratio "$nr" "$f")"
printf '                 kubectl diff --server-side %.2fs   slipway/kubectl ratio %.2f\n' "$d" "$(ratio "$p" "$d")"
if [ -s "$work/kdiff.out" ]; then
  echo "                 (kubectl diff found differences:)"
  head -n 20 "$work/kdiff.out" | sed 's/^/                   /'
fi
if [ -n "${BASELINE:-}" ]; then
  b=$(printf '%s\n' "${base[@]}" | median)
  # The ratio of each round's two plans, which ran one after the other,
  # then their median: the server's load moves between rounds more than
  # between two plans.
  pr=$(for ((r = 0; r < RUNS; r++)); do ratio "${plan[r]}" "${base[r]}"; echo; done | median)
  printf '                 baseline %s %.2fs   this/baseline ratio %.2f (the median of each round'"'"'s ratio)\n' "$BASELINE" "$b" "$pr"
fi
echo "peak RSS         of a no-op plan: $noop_peaks"
echo "                 /usr/bin/time -v: $(mib "$timev") (the largest of slipway and the children it waited for)"
printf 'other commands   slipway status of the %d apps %.2fs;   plan -out %.2fs;   show -json of that plan %.2fs\n' \
  "$N" "$status_s" "$out_s" "$show_s"

# --- A commit of one app's files: every app's source moves, one app's
# objects change. Only that app is planned and synced.
apps=("$work/gitops/apps"/*)
one_app=${apps[0]##*/}
sed -i 's/^  release: "1"$/  release: "one"/' "$work/gitops/apps/$one_app/objects.yaml"
(cd "$work/gitops" && git commit -q -am "$one_app alone" && git push -q "$SLIPWAY_GIT_URL/gitops.git" main)
one_plan=$(secs "$slipway" plan)
one_changes=$(awk '/^Plan:/ {print $5}' "$work/last.log")
[ "${one_changes:-}" = 1 ] || { echo "the commit of one app's files planned ${one_changes:-no} changes, not 1"; exit 1; }
requests > "$work/requests.before"
one_apply=$(secs "$slipway" apply -auto-approve)
requests > "$work/requests.after"
one_requests=$(requests_between "$work/requests.before" "$work/requests.after")
noop > /dev/null || { echo "the plan after applying one app's commit is not a no-op"; exit 1; }
printf 'one app'"'"'s commit slipway plan %.2fs (%s of %d apps to change)   apply %.2fs\n' "$one_plan" "${one_changes:-?}" "$N" "$one_apply"
echo "                 requests of that apply: $one_requests"
sed -i 's/^  release: "one"$/  release: "1"/' "$work/gitops/apps/$one_app/objects.yaml"

# --- One changed object per app: the settings ConfigMap's release.
for d in "$work/gitops/apps" "$work/raw" "$work/kubectl"; do
  find "$d" -name objects.yaml -exec sed -i 's/^  release: "1"$/  release: "2"/' {} +
done
(cd "$work/gitops" && git commit -q -am "release 2" && git push -q "$SLIPWAY_GIT_URL/gitops.git" main)
requests > "$work/requests.before"
# In this shell, not in $(...): sampled leaves its peaks in hwm and anon.
secs sampled "$slipway" apply -auto-approve > "$work/secs"
re_slipway=$(cat "$work/secs")
re_peaks=$(peaks)
requests > "$work/requests.after"
re_requests=$(requests_between "$work/requests.before" "$work/requests.after")
noop > /dev/null || { echo "the plan after the re-apply is not a no-op"; exit 1; }
re_floor=$(secs "$floor" apply -manager bench "$work/raw")
re_floor_split=$(floor_split)
re_kubectl=$(secs "$kubectl" apply --server-side -R -f "$work/kubectl")
printf 're-apply         (1 changed ConfigMap per app) slipway %.2fs   floor %.2fs   ratio %.2f\n' \
  "$re_slipway" "$re_floor" "$(ratio "$re_slipway" "$re_floor")"
echo "                 (the floor: $re_floor_split)"
echo "                 requests of slipway's re-apply: $re_requests"
echo "                 peak RSS of slipway's re-apply: $re_peaks"
printf '                 kubectl apply --server-side (no wait) %.2fs   ratio %.2f\n' \
  "$re_kubectl" "$(ratio "$re_slipway" "$re_kubectl")"

# --- Destroy: every app deletes its objects and waits until they are
# gone.
requests > "$work/requests.before"
destroy_s=$(secs "$slipway" destroy -auto-approve)
requests > "$work/requests.after"
destroy_requests=$(requests_between "$work/requests.before" "$work/requests.after")
destroy_left=$("$kubectl" get deployments,services,serviceaccounts,configmaps,secrets,roles,rolebindings,poddisruptionbudgets,horizontalpodautoscalers \
  --all-namespaces -l slipway.dev/app -o name | wc -l)
printf 'destroy          of the %d apps %.2fs; objects of the apps left in the cluster: %d\n' "$N" "$destroy_s" "$destroy_left"
echo "                 requests of the destroy: $destroy_requests"
[ "$destroy_left" -eq 0 ] || { echo "the destroy left $destroy_left objects of the apps in the cluster"; exit 1; }
# One LIST per kind and app (its objects and Namespace, before it deletes
# them), at most one more for what went before the watch of its kind
# started; not one per second of waiting (two hundred per app at 1,000
# apps, whose Deployments take a minute or two to go).
destroy_lists=${destroy_requests%% LIST*}
max_lists=$((2 * 12 * N + 30))
[ "$destroy_lists" -le "$max_lists" ] || { echo "the destroy made $destroy_lists LISTs of the apps' kinds, more than $max_lists: $destroy_requests"; exit 1; }

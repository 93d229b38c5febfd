#!/usr/bin/env bash
# Runs the files example in a scratch copy: init, plan, apply, plan again.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d -t slipway-files.XXXXXX)
cp "$root"/examples/files/*.slip.hcl "$work"/
export SLIPWAY_PROVIDER_PATH="$root/bin"
slipway="$root/bin/slipway"
cd "$work"
step() { printf '\n\033[1m$ slipway %s\033[0m\n' "$*"; }
step init;                       "$slipway" init
step plan -out=files.plan;  "$slipway" plan -out=files.plan
step apply files.plan;      "$slipway" apply files.plan
step plan -detailed-exitcode;    "$slipway" plan -detailed-exitcode
step output;                     "$slipway" output
step state list;                 "$slipway" state list
printf '\nThe files are in %s/out and the state in %s/slipway.slipstate.\n' "$work" "$work"
printf 'Look around with:  cd %s && %s show\n' "$work" "$slipway"
printf 'Clean up with:     cd %s && %s destroy -auto-approve && rm -rf %s\n' "$work" "$slipway" "$work"

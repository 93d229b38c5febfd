#!/usr/bin/env bash
# slipway-comment.sh FILE: post FILE (a plan as Markdown) as the pull
# request's or merge request's slipway comment, or update that comment if
# an earlier run posted one, so a review shows one plan, the latest.
#
# GitHub Actions: GITHUB_API_URL, GITHUB_REPOSITORY (set by Actions),
# GITHUB_TOKEN and PR_NUMBER. GitLab CI: CI_API_V4_URL, CI_PROJECT_ID,
# CI_MERGE_REQUEST_IID (set by GitLab) and SLIPWAY_API_TOKEN. Needs curl
# and jq.
set -euo pipefail

file=${1:?usage: slipway-comment.sh FILE}
marker='<!-- slipway plan -->'
body=$(printf '%s\n%s' "$marker" "$(cat "$file")")
payload=$(jq -n --arg body "$body" '{body: $body}')

# upsert LIST_URL CREATE_URL UPDATE_URL_PREFIX UPDATE_METHOD AUTH_HEADER:
# update the comment that starts with the marker, or create one.
upsert() {
  local list=$1 create=$2 update=$3 method=$4 auth=$5 id
  id=$(curl -fsS -H "$auth" "$list" |
    jq -r --arg m "$marker" '[.[] | select(.body | startswith($m))][0].id // empty')
  if [ -n "$id" ]; then
    curl -fsS -o /dev/null -X "$method" -H "$auth" -H 'Content-Type: application/json' \
      -d "$payload" "$update/$id"
  else
    curl -fsS -o /dev/null -X POST -H "$auth" -H 'Content-Type: application/json' \
      -d "$payload" "$create"
  fi
}

if [ -n "${GITHUB_API_URL:-}" ] && [ -n "${PR_NUMBER:-}" ]; then
  api="$GITHUB_API_URL/repos/$GITHUB_REPOSITORY"
  upsert "$api/issues/$PR_NUMBER/comments?per_page=100" "$api/issues/$PR_NUMBER/comments" \
    "$api/issues/comments" PATCH "Authorization: Bearer ${GITHUB_TOKEN:?GITHUB_TOKEN is not set}"
elif [ -n "${CI_API_V4_URL:-}" ] && [ -n "${CI_MERGE_REQUEST_IID:-}" ]; then
  api="$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID"
  upsert "$api/notes?per_page=100" "$api/notes" "$api/notes" PUT \
    "PRIVATE-TOKEN: ${SLIPWAY_API_TOKEN:?SLIPWAY_API_TOKEN is not set}"
else
  echo "slipway-comment.sh: not in a GitHub pull request or a GitLab merge request; the plan is in $file" >&2
fi

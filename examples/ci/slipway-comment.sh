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

if [ -n "${GITHUB_API_URL:-}" ] && [ -n "${PR_NUMBER:-}" ]; then
  api="$GITHUB_API_URL/repos/$GITHUB_REPOSITORY"
  auth="Authorization: Bearer ${GITHUB_TOKEN:?GITHUB_TOKEN is not set}"
  id=$(curl -fsS -H "$auth" "$api/issues/$PR_NUMBER/comments?per_page=100" |
    jq -r --arg m "$marker" '[.[] | select(.body | startswith($m))][0].id // empty')
  if [ -n "$id" ]; then
    curl -fsS -o /dev/null -X PATCH -H "$auth" -H 'Content-Type: application/json' \
      -d "$payload" "$api/issues/comments/$id"
  else
    curl -fsS -o /dev/null -X POST -H "$auth" -H 'Content-Type: application/json' \
      -d "$payload" "$api/issues/$PR_NUMBER/comments"
  fi
elif [ -n "${CI_API_V4_URL:-}" ] && [ -n "${CI_MERGE_REQUEST_IID:-}" ]; then
  api="$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID"
  auth="PRIVATE-TOKEN: ${SLIPWAY_API_TOKEN:?SLIPWAY_API_TOKEN is not set}"
  id=$(curl -fsS -H "$auth" "$api/notes?per_page=100" |
    jq -r --arg m "$marker" '[.[] | select(.body | startswith($m))][0].id // empty')
  if [ -n "$id" ]; then
    curl -fsS -o /dev/null -X PUT -H "$auth" -H 'Content-Type: application/json' \
      -d "$payload" "$api/notes/$id"
  else
    curl -fsS -o /dev/null -X POST -H "$auth" -H 'Content-Type: application/json' \
      -d "$payload" "$api/notes"
  fi
else
  echo "slipway-comment.sh: not in a GitHub pull request or a GitLab merge request; the plan is in $file" >&2
fi

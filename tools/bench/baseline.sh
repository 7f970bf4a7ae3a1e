#!/usr/bin/env bash
# The promotion script of the platform's migration documentation, as a team would write it:
# for each algorithm, create it on the destination (the create fails harmlessly when it
# exists), clone both repositories (or pull them on a repeat), copy every file except .git,
# commit, push (which starts the build), wait for the build, and publish a version.
# `make bench` runs it side by side with the provider (internal/cmd/algorithmia-bench).
#
# Usage: baseline.sh WORKDIR ALGORITHM...
# Environment: SRC_API, SRC_GIT_USER, SRC_KEY, DST_API, DST_GIT_USER, DST_KEY, OWNER
# (API addresses without /v1; Git is served under $API/git).
set -euo pipefail
work=$1; shift
mkdir -p "$work/src" "$work/dst"

git_url() { # api user key name
  local hostpart=${1#*://} scheme=${1%%://*}
  printf '%s://%s:%s@%s/git/%s/%s.git' "$scheme" "$2" "$3" "$hostpart" "$OWNER" "$4"
}

sync_clone() { # url dir
  if [ -d "$2/.git" ]; then
    git -C "$2" pull -q --ff-only origin master
  else
    git clone -q "$1" "$2"
  fi
}

for algo in "$@"; do
  # 1. Create the algorithm on the destination (as the documented script does on every run).
  curl -sS -o /dev/null -H "Authorization: Simple $DST_KEY" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$algo\",\"details\":{\"label\":\"$algo\"},\"settings\":{\"language\":\"python3-1\",\"environment\":\"cpu\",\"source_visibility\":\"closed\",\"license\":\"apl\",\"network_access\":\"isolated\",\"pipeline_enabled\":false}}" \
    "$DST_API/v1/algorithms/$OWNER"

  # 2. Clone both (pull on a repeat).
  src="$work/src/$algo" dst="$work/dst/$algo"
  sync_clone "$(git_url "$SRC_API" "$SRC_GIT_USER" "$SRC_KEY" "$algo")" "$src"
  sync_clone "$(git_url "$DST_API" "$DST_GIT_USER" "$DST_KEY" "$algo")" "$dst"

  # 3. Copy every file except .git (files deleted in the source go too).
  find "$dst" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
  tar -C "$src" --exclude=./.git -cf - . | tar -C "$dst" -xf -

  # 4. Commit and push; the push starts a build.
  git -C "$dst" add -A
  if git -C "$dst" diff --cached --quiet; then
    echo "$algo: no change"
    continue
  fi
  git -C "$dst" -c user.name="Promotion script" -c user.email=ci@example.com \
    commit -q -m "Promote $(git -C "$src" rev-parse HEAD) from source"
  git -C "$dst" push -q origin HEAD:master
  sha=$(git -C "$dst" rev-parse HEAD)

  # 5. Wait for the build of that commit.
  status=""
  for _ in $(seq 1 600); do
    status=$(curl -sS -H "Authorization: Simple $DST_KEY" "$DST_API/v1/algorithms/$OWNER/$algo/builds?limit=20" |
      tr '{' '\n' | grep -F "\"commit_sha\":\"$sha\"" | grep -o '"status":"[a-z_-]*"' | head -n 1 | cut -d '"' -f 4 || true)
    case $status in succeeded | failed) break ;; esac
    sleep 0.25
  done
  if [ "$status" != succeeded ]; then
    echo "$algo: build of $sha ended as '${status:-missing}'" >&2
    exit 1
  fi

  # 6. Publish the build.
  curl -sS -f -o /dev/null -H "Authorization: Simple $DST_KEY" -H 'Content-Type: application/json' \
    -d '{"version_info":{"version_type":"minor","release_notes":"Promoted by script"}}' \
    "$DST_API/v1/algorithms/$OWNER/$algo/versions"
  echo "$algo: pushed $sha, published"
done

#!/usr/bin/env bash
# Times Evaluate on the benchmark's ICP contact for a base commit and for the working tree, alternately, so that a machine
# whose speed drifts over minutes (a shared VM) still compares like with like.
# Usage: scripts/evaluate-ab.sh [base] [rounds] [--hubspot-shaped]   (the last: the contact with every requested property, most null)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base="${1:-HEAD}"
rounds="${2:-6}"
shift $(( $# < 2 ? $# : 2 ))
work="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach -q "$work/base" "$base"
build() {
  local log="$work/build.log"
  if ! dotnet build "$root/scripts/evaluate-ab/EvaluateLoop.csproj" -c Release -v q -nologo -p:QualificationSource="$1" -o "$2" >"$log" 2>&1; then
    cat "$log" >&2
    echo "evaluate-ab: the build against $1 failed (above)" >&2
    exit 1
  fi
}
build "$work/base/src" "$work/out-base"
build "$root/src" "$work/out-new"
echo "round  base(ns)  new(ns)  new/base"
for round in $(seq "$rounds"); do
  a="$("$work/out-base/EvaluateLoop" "$@")"
  b="$("$work/out-new/EvaluateLoop" "$@")"
  awk -v r="$round" -v a="$a" -v b="$b" 'BEGIN { printf "%5d  %8d  %7d  %8.3f\n", r, a, b, b / a }'
done

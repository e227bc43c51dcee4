#!/usr/bin/env bash
# bench/ab.sh -- this checkout against another commit, in one harness run (no-regression checks).
#
#   bench/ab.sh BASE_REV [harness options]     e.g.  bench/ab.sh 3f2eb0a --rounds 3
#
# Builds BASE_REV in a temporary git worktree (outside the repository, removed afterwards), then
# runs the comparative harness (bench/run.sh) with each Pollen server twice: built from this
# checkout (pollen-epoll, ...) and from BASE_REV (pollen-epoll@BASE_REV, ...), with Netty epoll
# beside them; the same load, rounds interleaved. Default: only the single-loop scenarios
# (plaintext, pipelined, echo), 3 rounds. Writes bench/results/ab/latest.{md,svg,json,csv}.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?usage: bench/ab.sh BASE_REV [harness options]}"
shift
. bench/java25.sh # sets JAVA

. bench/bench-server.sh # build_base
tmp="$(mktemp -d /tmp/pollen-ab.XXXXXX)"
cleanup() { remove_base; rm -rf "$tmp"; }
trap cleanup EXIT
build_base "$base" # sets BASE_CP, BASE_LABEL

# The default server list only where the caller gives none: the report's command line then shows
# the list the run used, not a default it overrode.
only=(--only "pollen-epoll,pollen-epoll@$BASE_LABEL,netty-epoll")
for arg in "$@"; do
  case $arg in --only|--only=*) only=() ;; esac
done
bench/run.sh "${only[@]}" --no-multi --no-scale --rounds 3 \
  --baseline "$BASE_LABEL=$BASE_CP" --out bench/results/ab "$@"

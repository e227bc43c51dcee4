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

tmp="$(mktemp -d /tmp/pollen-ab.XXXXXX)"
cleanup() { git worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
git worktree add -q --detach "$tmp/src" "$base"
echo "[ab] building $base in $tmp/src ..." >&2
(cd "$tmp/src" && JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)" \
  mvn -B -q ${MVN_FLAGS:-} -pl bench -am package -DskipTests -Dpollen.aot.skip >&2)
base_cp="$tmp/src/bench/target/classes:$(cat "$tmp/src/bench/target/harness.classpath")"
label="$(git rev-parse --short "$base")"

bench/run.sh --only "pollen-epoll,pollen-epoll@$label,netty-epoll" --no-multi --no-scale --rounds 3 \
  --baseline "$label=$base_cp" --out bench/results/ab "$@"

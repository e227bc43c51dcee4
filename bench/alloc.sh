#!/usr/bin/env bash
# bench/alloc.sh -- does the Pollen plaintext server allocate per request? (issue #5)
#
#   bench/alloc.sh [--seconds S] [--warmup S]
#
# Runs io.pollen.bench.harness.AllocProbe: the harness's Pollen HTTP server (epoll, 1 loop) in a
# JVM pinned to cpu 0, wrk pinned to cpu 1, without and with 16-deep pipelining; measures the
# event-loop thread's allocated bytes per request (ThreadMXBean) and records its allocations with
# JFR. Writes bench/results/alloc.md. Needs a JDK 25, Maven and wrk (see bench/run.sh).
# Set MVN_FLAGS=-o to build offline; SKIP_BUILD=1 to use bench/target as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/java25.sh # sets JAVA

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "[alloc] building (mvn -pl bench -am package -DskipTests) ..." >&2
  JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)" mvn -B -q ${MVN_FLAGS:-} -pl bench -am package -DskipTests >&2
fi

CP="bench/target/classes:$(cat bench/target/harness.classpath)"
# The harness's JVM flags (ServerCatalog.JVM_FLAGS), so the server runs as in bench/run.sh.
exec taskset -c 0 "$JAVA" -Xms256m -Xmx1g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED -cp "$CP" \
  io.pollen.bench.harness.AllocProbe --lua bench/native/pipeline.lua --out bench/results/alloc.md --wrk-cpus 1 \
  --command "$(echo "bench/alloc.sh $*" | sed 's/ *$//')" "$@"

#!/usr/bin/env bash
# Issue #4's scale run: 10,000 concurrent GETs of /delay/1000/... against ONE Pollen demo server
# (its own JVM), by Pollen's HttpClient on one event-loop thread, java.net.http.HttpClient.sendAsync,
# and a virtual thread + blocking Socket per request — each client in its own JVM, in turn.
# Prints a Markdown table (wall, CPU, peak RSS) and writes it to bench/results/scale.md.
#
#   bench/scale.sh                                   # the issue's run
#   bench/scale.sh --requests 1000 --rounds 3        # smaller, repeated
#   bench/scale.sh --clients pollen,virtual-threads
#
# Needs ~10,100 file descriptors per process (ulimit -n); talks to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10240 ]; then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
JAVA_HOME="${JAVA_HOME_25:-$(dirname "$(dirname "$JAVA")")}" mvn -B -q -pl bench -am package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile=target/jmh.classpath -Dmdep.includeScope=runtime
CP="bench/target/classes:$(cat bench/target/jmh.classpath)"
mkdir -p bench/results
"$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" io.pollen.bench.scale.ScaleRun "$@" > bench/target/scale.md
cp bench/target/scale.md bench/results/scale.md
cat bench/results/scale.md

#!/usr/bin/env bash
# Issue #4's scale run: 10,000 concurrent GETs of /delay/1000/... against ONE Pollen demo server
# (its own JVM), by Pollen's HttpClient on one event-loop thread, java.net.http.HttpClient.sendAsync,
# a virtual thread + blocking Socket per request, and a single-threaded C client on raw epoll (the
# floor for one thread) — each client in its own process, in turn, each running the scenario three
# times: pass 1 in fresh JVMs, pass 3 warmed up. First it measures the one-thread floor: how long one
# thread takes just to send that many requests, each on its own loopback connection, to a bare
# acceptor (bench/native/send_floor.c). Each pass sends to a server port of its own, so no pass
# meets an earlier one's TIME_WAIT sockets. 3 rounds, about 3 minutes each. Prints a Markdown
# report (every pass; medians over the rounds: wall, when the server had all requests, CPU, peak
# RSS; the floor) and writes it to bench/results/scale.md.
#
#   bench/scale.sh                                   # the issue's run
#   bench/scale.sh --requests 1000 --rounds 1        # smaller, once
#   bench/scale.sh --passes 5                        # 5 passes per client process (default 3)
#   bench/scale.sh --clients pollen,virtual-threads
#   SCALE_JAVA_OPTS='-Dscale.jvmArgs=-XX:TieredStopAtLevel=1' bench/scale.sh   # client JVMs on C1 only
#   (ScaleRun's properties: scale.jvmArgs for every client JVM, scale.serverJvmArgs, scale.serverLoops)
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
mkdir -p bench/target/native
gcc -O2 -Wall -Wextra -o bench/target/native/delay_client bench/native/delay_client.c
gcc -O2 -Wall -Wextra -pthread -o bench/target/native/send_floor bench/native/send_floor.c
mkdir -p bench/results
# shellcheck disable=SC2086  # SCALE_JAVA_OPTS is a list of options, split on purpose
"$JAVA" --enable-native-access=ALL-UNNAMED ${SCALE_JAVA_OPTS:-} -cp "$CP" io.pollen.bench.scale.ScaleRun "$@" > bench/target/scale.md
cp bench/target/scale.md bench/results/scale.md
cat bench/results/scale.md

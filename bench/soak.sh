#!/usr/bin/env bash
# bench/soak.sh -- one `pollen serve` under ten minutes of mixed load (issue #11).
#
#   bench/soak.sh                 full run (~10 min): writes bench/results/soak.{md,svg,csv}
#   bench/soak.sh --smoke         a few seconds per phase into bench/results/raw/soak-smoke.*;
#                                 exits 1 if a target is missed (CI runs it)
#   bench/soak.sh --phase-seconds S
#   bench/soak.sh --backend io_uring   the server on that backend (pollen serve --backend); the report
#                                 is named after it: soak-io_uring.{md,svg,csv} (smoke: raw/soak-io_uring-smoke.*)
#
# Runs io.pollen.bench.harness.Soak: starts `bin/pollen serve` with default JVM flags, then
# pipelined plaintext, 20 KB echoes, connection churn, slowloris, clients hanging up during
# /delay, and all of them at once, sampling the server's RSS, open fds and threads every second.
# Targets: RSS under 500 MiB, fds back to baseline after each phase, no error for well-behaved
# clients, no uncaught failure in the server's log (bench/results/raw/), exit 0 after the final
# SIGTERM. Needs a JDK 25, Maven and wrk. It installs nothing.
# Set MVN_FLAGS=-o to build offline; SKIP_BUILD=1 to use the built jars as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null 2>&1 || { echo "bench/soak.sh: 'wrk' not found (apt-get install -y wrk)" >&2; exit 2; }
. bench/java25.sh # sets JAVA

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "[soak] building (mvn -pl cli,bench -am package -DskipTests) ..." >&2
  JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)" mvn -B -q ${MVN_FLAGS:-} -pl cli,bench -am package -DskipTests \
    -Dpollen.aot.skip >&2
fi

# The hostile phases open hundreds of connections from this JVM.
ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
CP="bench/target/classes:$(cat bench/target/harness.classpath)"
exec "$JAVA" -Xmx512m -cp "$CP" io.pollen.bench.harness.Soak --pollen bin/pollen --native-dir bench/native \
  --out bench/results --command "$(echo "bench/soak.sh $*" | sed 's/ *$//')" "$@"

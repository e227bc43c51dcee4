#!/usr/bin/env bash
# bench/run.sh -- Pollen against the field, in one command.
#
#   bench/run.sh            full run (~17 min): 3 interleaved rounds, multi-core, scale;
#                           writes bench/results/latest.{md,svg,json,csv}
#   bench/run.sh --smoke    CI run (~2 min): one short round; writes bench/results/raw/smoke-latest.*
#                           and exits non-zero if any available server fails validation or load.
#
# Extra options go to the harness (io.pollen.bench.harness.Bench): --rounds N, --duration S,
# --warmup S, --echo-warmup S (default 5), --only name1,name2, --no-echo, --no-multi, --no-scale, --scale-conns N.
# Needs: a JDK 25 (found like Maven's toolchains: $POLLEN_JAVA, $JAVA_HOME, /usr/lib/jvm/*),
# Maven, and the apt packages wrk and gcc (taskset is in util-linux). It installs nothing.
# Set MVN_FLAGS=-o to build offline; SKIP_BUILD=1 uses bench/target's classes as they are (the C
# programs are compiled every time).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in wrk gcc taskset mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "bench/run.sh: '$tool' not found (apt-get install -y wrk gcc maven)" >&2
    exit 2
  fi
done

. bench/java25.sh # sets JAVA

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "[bench] building (mvn -pl bench -am package -DskipTests) ..." >&2
  # Maven itself runs on that JDK too: the jar plugin runs the JDK's jar tool in Maven's JVM, and an
  # older JDK cannot read the Java 25 module-info.class ("Unsupported major.minor version 69.0").
  JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)" MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED" \
    mvn -B -q ${MVN_FLAGS:-} -pl bench -am package -DskipTests >&2 2> >(grep -v "sun.misc.Unsafe\|terminally deprecated\|consider reporting" >&2)
fi
. bench/echo-load.sh # sets LOAD: bench/target/native/echo_load, compiled if missing or stale
native_build epoll_http   # the C servers, the same way (bench/native.sh)
native_build uring_echo

# 10,000 idle connections need more than the usual 1024 descriptors: raise the soft limit.
ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
echo "[bench] java $JAVA, open-files limit $(ulimit -n)" >&2

CP="bench/target/classes:$(cat bench/target/harness.classpath)"
exec "$JAVA" -Xmx512m -cp "$CP" io.pollen.bench.harness.Bench \
  --classpath "$CP" --native-dir bench/target/native --lua bench/native/pipeline.lua \
  --echo-load "$LOAD" \
  --out bench/results --command "$(echo "bench/run.sh $*" | sed 's/ *$//')" "$@"

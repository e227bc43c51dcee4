#!/usr/bin/env bash
# Runs one group of Pollen's JMH benchmarks and writes bench/results/jmh-<group>.md.
#
#   bench/jmh.sh poll      # issue #2: wake, loopback ping-pong, 1,000-connection dispatch
#                          #           (pollen-epoll vs a plain java.nio Selector, + pollen-nio)
#   bench/jmh.sh runtime   # issue #3: spawn/complete, cross-thread wake, timer insert+cancel
#                          #           (Pollen vs CompletableFuture/ForkJoinPool, STPE, Netty 4.2)
#   bench/jmh.sh http      # the HTTP request-head parser, per head (wrk's GET and a browser's)
#   bench/jmh.sh uring     # io_uring_enter by a registered ring fd or by fd (Linux 5.18+)
#   bench/jmh.sh poll -p impl=pollen-epoll,jdk-nio   # any further arguments go to JMH
#   JMH_OPTS="-f 3 -wi 2 -i 4" bench/jmh.sh poll     # replaces the fork/iteration defaults
#
# Defaults are sized for two shared, busy cores: two forks per contender (so that a burst of
# someone else's load lands on one fork, not on a whole contender), 2 warm-up and 4 measured
# iterations of 1-2 s (see each class). Override them with JMH_OPTS (JMH refuses a repeated -f). Raw results stay in
# bench/target/jmh-<group>.csv and .log. Builds with Maven (no install) running on JDK 25 (its jar
# tool must read the JDK 25 module descriptor of pollen-core), runs on JDK 25.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
group="${1:-}"
[ $# -gt 0 ] && shift
case "$group" in
  poll)    pattern='io\.pollen\.bench\.jmh\.poll\..*';    baseline=pollen-epoll; title='Issue #2: poll layer (JMH)' ;;
  runtime) pattern='io\.pollen\.bench\.jmh\.runtime\..*'; baseline=pollen;       title='Issue #3: runtime (JMH)' ;;
  http)    pattern='io\.pollen\.bench\.jmh\.http\..*';    baseline=pollen;       title='HTTP head parser (JMH)' ;;
  uring)   pattern='io\.pollen\.bench\.jmh\.uring\..*';   baseline=ring-registered; title='io_uring ring (JMH)' ;;
  *) echo "usage: $0 poll|runtime|http|uring [JMH options]" >&2; exit 2 ;;
esac

JAVA_HOME="${JAVA_HOME_25:-$(dirname "$(dirname "$JAVA")")}" mvn -B -q -pl bench -am package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile=target/jmh.classpath -Dmdep.includeScope=runtime
JMH_OPTS_SET="${JMH_OPTS:+yes}"
JMH_OPTS="${JMH_OPTS:--f 2 -wi 2 -i 4}"
CP="bench/target/classes:$(cat bench/target/jmh.classpath)"
csv="bench/target/jmh-$group.csv"
log="bench/target/jmh-$group.log"
"$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" org.openjdk.jmh.Main "$pattern" \
    $JMH_OPTS -rf csv -rff "$csv" "$@" 2>&1 | tee "$log"
mkdir -p bench/results
"$JAVA" -cp "$CP" io.pollen.bench.jmh.JmhReport "$csv" "$baseline" "$title" "${JMH_OPTS_SET:+JMH_OPTS=\"$JMH_OPTS\" }bench/jmh.sh $group${*:+ $*}" "$JMH_OPTS${*:+ $*}" \
    > "bench/results/jmh-$group.md"
cat "bench/results/jmh-$group.md"

#!/usr/bin/env bash
# bench/jmh-ab.sh -- one JMH group, this checkout against another commit, rounds interleaved.
#
#   bench/jmh-ab.sh BASE_REV [poll|runtime|http] [ROUNDS]  e.g.  bench/jmh-ab.sh 3f2eb0a runtime 3
#
# Builds BASE_REV in a temporary git worktree (outside the repository, removed afterwards) and this
# checkout, then runs the group's Pollen benchmarks (JMH -p impl=pollen-epoll / pollen, one fork per
# run) alternately: this, base, this, base, ... so that the machine's noise lands on both sides.
# Each figure is the median over the rounds of each run's score; the ratio is base/this for time
# modes (above 1.00: this checkout is faster). Writes bench/results/jmh-ab-<group>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?usage: bench/jmh-ab.sh BASE_REV [poll|runtime|http] [ROUNDS]}"
group="${2:-runtime}"
rounds="${3:-3}"
. bench/java25.sh # sets JAVA
case "$group" in
  poll)    pattern='io\.pollen\.bench\.jmh\.poll\..*';    impl=pollen-epoll ;;
  runtime) pattern='io\.pollen\.bench\.jmh\.runtime\..*'; impl=pollen ;;
  http)    pattern='io\.pollen\.bench\.jmh\.http\..*';    impl=pollen ;;
  *) echo "usage: $0 BASE_REV [poll|runtime|http] [ROUNDS]" >&2; exit 2 ;;
esac
JHOME="$(cd "$(dirname "$JAVA")/.." && pwd)"

tmp="$(mktemp -d /tmp/pollen-jmh-ab.XXXXXX)"
cleanup() { git worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
git worktree add -q --detach "$tmp/src" "$base"
label="$(git rev-parse --short "$base")"
here="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- core http bench || echo +)"

build() { # $1 = checkout directory; prints its JMH class path
  (cd "$1" && JAVA_HOME="$JHOME" mvn -B -q ${MVN_FLAGS:-} -pl bench -am package -DskipTests -Dpollen.aot.skip \
    dependency:build-classpath -Dmdep.outputFile=target/jmh.classpath -Dmdep.includeScope=runtime >&2)
  echo "$1/bench/target/classes:$(cat "$1/bench/target/jmh.classpath")"
}
echo "[jmh-ab] building $here (this checkout) and $label ..." >&2
cp_this="$(build "$PWD")"
cp_base="$(build "$tmp/src")"

for r in $(seq 1 "$rounds"); do
  for side in this base; do
    cp="$cp_this"; [ "$side" = base ] && cp="$cp_base"
    echo "[jmh-ab] round $r/$rounds: $side" >&2
    "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$cp" org.openjdk.jmh.Main "$pattern" -p impl="$impl" \
      -f 1 -wi 2 -i 4 -rf csv -rff "$tmp/$side-$r.csv" > "$tmp/$side-$r.log" 2>&1 \
      || { echo "[jmh-ab] JMH failed, see below" >&2; tail -30 "$tmp/$side-$r.log" >&2; exit 1; }
  done
done

mkdir -p bench/results
out="bench/results/jmh-ab-$group.md"
{
  echo "# JMH $group: $here against $label"
  echo
  echo "- Command: \`bench/jmh-ab.sh $base $group $rounds\`"
  echo "- Date: $(date -u +%FT%TZ); $(nproc) cpus ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- JDK: $("$JAVA" -version 2>&1 | head -1)"
  echo "- Method: $rounds rounds, each one JMH fork (2 warm-up + 4 measured iterations, each class's own iteration time) of this checkout, then one of $label; a figure is the median of the rounds' scores. Ratio: $label's time / this checkout's, or this checkout's rate / $label's for throughput (above 1.00 either way: this checkout is faster)."
  echo
  echo "| benchmark | unit | $here (median) | $label (median) | rounds $here | rounds $label | ratio |"
  echo "|---|---|---:|---:|---|---|---:|"
  awk -F, -v rounds="$rounds" '
    function median(s,   a, n, i, j, t) {
      n = split(s, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    FNR == 1 { side = (FILENAME ~ /\/this-/) ? "this" : "base"; next }
    {
      gsub(/"/, "")
      name = $1; sub(/^io\.pollen\.bench\.jmh\./, "", name)
      key = name; unit[key] = $7
      if (!(key in seen)) { seen[key] = 1; order[++count] = key }
      scores[key, side] = scores[key, side] " " sprintf("%.1f", $5)
    }
    END {
      for (k = 1; k <= count; k++) {
        key = order[k]
        mt = median(scores[key, "this"]); mb = median(scores[key, "base"])
        printf "| %s | %s | %.1f | %.1f | %s | %s | %.2f |\n", key, unit[key], mt, mb, scores[key, "this"], scores[key, "base"], (unit[key] ~ /^ops\// ? (mb > 0 ? mt / mb : 0) : (mt > 0 ? mb / mt : 0))
      }
    }' $(for r in $(seq 1 "$rounds"); do echo "$tmp/this-$r.csv $tmp/base-$r.csv"; done)
} > "$out"
cat "$out"

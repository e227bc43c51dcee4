#!/usr/bin/env bash
# Cold start of the main job: a fresh `pollen demo --tasks N` (its own embedded demo server, as a
# user runs it; a new JVM through bin/pollen each time) in four modes, interleaved per round:
#   plain    POLLEN_AOT=off, C1 and C2: a plain JVM;
#   aot      the AOT cache the build makes (cli/target/pollen.aot, a training run of
#            `pollen demo --tasks 3000`), C1 and C2;
#   aot+c1   the cache and C1 only (-XX:TieredStopAtLevel=1): what bin/pollen runs `demo` with;
#   c1       C1 only, no cache.
# The wall time is the demo's own (first request sent -> last response read, JVM start-up
# excluded). N defaults to 9,000: with the server in the same process that takes about 18,100
# file descriptors (bench/scale.sh runs 10,000 with the server in another JVM).
# Each run gets a loopback free of earlier runs' TIME_WAIT sockets (every connect would search
# past them for a port): as root, a fresh network namespace of its own (unshare -n); otherwise the
# script waits (up to 75 s) until fewer than 1000 TIME_WAIT sockets remain. Writes
# bench/results/cold-start.md. About 4 s per run in namespaces, about 70 s per run waiting.
#
# With --serve, each run is two new JVMs, as a user runs 10,000 tasks where one process may not
# open enough fds for both sides: `pollen serve` and `pollen demo --url` against it (10,000 tasks by
# default), in two modes: plain (POLLEN_AOT=off, C1 and C2 for both) and default (what bin/pollen
# does by itself: the AOT cache for both, C1 only for demo, C2 kept for serve). Writes
# bench/results/cold-start-serve.md.
#
#   bench/cold-start.sh                       # 9,000 tasks, 5 rounds
#   bench/cold-start.sh --tasks 2000 --rounds 1
#   bench/cold-start.sh --serve               # pollen serve + pollen demo --url, 10,000 tasks
set -euo pipefail
cd "$(dirname "$0")/.."
tasks="" rounds=5 delay=1000 serve=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tasks) tasks="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --delay) delay="$2"; shift 2 ;;
    --serve) serve=1; shift ;;
    *) echo "usage: bench/cold-start.sh [--tasks N] [--rounds R] [--delay MS] [--serve]" >&2; exit 2 ;;
  esac
done
if [ -z "$tasks" ]; then
  tasks=$((serve ? 10000 : 9000))
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((2 * tasks + 200)) ]; then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
. bench/java25.sh # sets JAVA
JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)" mvn -B -q -pl cli -am package -DskipTests
if [ ! -f cli/target/pollen.aot ]; then
  echo "cold-start: cli/target/pollen.aot was not made; see cli/target/pollen-aot.log" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

await_time_wait() {
  local i
  for i in $(seq 75); do
    [ "$(ss -tanH state time-wait | wc -l)" -lt 1000 ] && return 0
    sleep 1
  done
}

# A fresh network namespace per run where we may make one (root, unshare, ip), else the wait.
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null && command -v ip >/dev/null; then
  isolation="a fresh network namespace per run (unshare -n; its own loopback, no TIME_WAIT sockets from earlier runs)"
  in_fresh_loopback() { unshare -n bash -c 'ip link set lo up && exec "$@"' bash "$@"; }
else
  isolation="the host's loopback, after waiting (≤ 75 s) for fewer than 1000 TIME_WAIT sockets"
  in_fresh_loopback() { await_time_wait; "$@"; }
fi

# served WORK DELAY TASKS: a `pollen serve` on a free port, `pollen demo --url` against it, then
# the server stopped; the demo's output and exit status.
served() {
  bin/pollen serve --port 0 > "$1/serve.out" 2>&1 &
  local server=$! port="" i rc
  for i in $(seq 150); do
    port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$1/serve.out")"
    [ -n "$port" ] && break
    sleep 0.1
  done
  bin/pollen demo --url "http://127.0.0.1:$port/delay/$2/x" --tasks "$3" --progress off
  rc=$?
  kill "$server"
  wait "$server" 2>/dev/null
  return $rc
}
export -f served

# run MODE: one cold demo; prints "wall_s peak_mib ok".
run() {
  local mode="$1" aot=off opts="-XX:TieredStopAtLevel=4"
  case "$mode" in
    aot) aot=on ;;
    aot+c1) aot=on opts="-XX:TieredStopAtLevel=1" ;;
    c1) opts="-XX:TieredStopAtLevel=1" ;;
    default) aot=on opts="" ;;
  esac
  if [ "$serve" = 1 ]; then
    POLLEN_AOT=$aot POLLEN_JAVA_OPTS="$opts" in_fresh_loopback bash -c 'served "$@"' bash "$work" "$delay" "$tasks" \
        > "$work/demo.out" 2>&1 || true
  else
    POLLEN_AOT=$aot POLLEN_JAVA_OPTS="$opts" in_fresh_loopback bin/pollen demo --tasks "$tasks" --delay "$delay" \
        --progress off > "$work/demo.out" 2>&1 || true
  fi
  local wall peak ok
  wall="$(sed -n 's/^ *wall time *\([0-9.]*\) s.*/\1/p' "$work/demo.out")"
  peak="$(sed -n 's/^ *peak memory *\([0-9.]*\) MiB.*/\1/p' "$work/demo.out")"
  ok="$(sed -n 's/^ *successes *\([0-9]*\/[0-9]*\).*/\1/p' "$work/demo.out")"
  if [ -z "$wall" ]; then
    echo "cold-start: the demo failed ($mode):" >&2; cat "$work/demo.out" >&2; exit 1
  fi
  echo "$wall $peak $ok"
}

if [ "$serve" = 1 ]; then modes=(plain default); else modes=(plain aot aot+c1 c1); fi
declare -A walls peaks oks
for r in $(seq "$rounds"); do
  for m in "${modes[@]}"; do
    read -r wall peak ok < <(run "$m")
    echo "[cold-start] round $r, $m: $wall s, $peak MiB, $ok ok" >&2
    walls[$m]+="$wall " peaks[$m]+="$peak " oks[$m]+="$ok "
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
out=bench/results/cold-start.md
flags=""
[ "$serve" = 1 ] && out=bench/results/cold-start-serve.md flags=" --serve"
mkdir -p bench/results
{
  if [ "$serve" = 1 ]; then
    echo "# Cold start: fresh \`pollen serve\` + \`pollen demo --url --tasks $tasks\`, plain and as bin/pollen runs them"
  else
    echo "# Cold start: a fresh \`pollen demo --tasks $tasks\` with and without the AOT cache"
  fi
  echo
  echo "- Command: \`bench/cold-start.sh$flags --tasks $tasks --rounds $rounds --delay $delay\`, at git $(git rev-parse --short HEAD)"
  if [ "$serve" = 1 ]; then
    echo "- Each run: a fresh \`pollen serve\` (one event loop) and a fresh \`pollen demo --url http://127.0.0.1:PORT/delay/$delay/x --tasks $tasks\` against it (the tasks on one event-loop thread), two new JVMs started by bin/pollen in the mode of the row; rounds interleave the modes. Wall: the demo's own (first request sent → last response read; JVM start-up excluded). Peak memory: the demo's VmHWM."
    echo "- Modes: **plain**: \`POLLEN_AOT=off\` and \`-XX:TieredStopAtLevel=4\` (C1 and C2) for both. **default**: what bin/pollen does by itself: the JDK AOT cache the build makes (\`cli/target/pollen.aot\`) for both, C1 only for \`demo\`, C1 and C2 for \`serve\`."
  else
    echo "- Each run: a fresh \`pollen demo --tasks $tasks --delay $delay\` (the main job as a user runs it: the tasks on one event-loop thread, its demo server on another, in the same new JVM), started by bin/pollen in the mode of the row; rounds interleave the modes. Wall: the demo's own (first request sent → last response read; JVM start-up excluded). Peak memory: the demo's VmHWM."
    echo "- Modes: **plain**: \`POLLEN_AOT=off\`, C1 and C2, a plain JVM. **aot**: the JDK AOT cache the build makes by a training run of \`pollen demo --tasks 3000\` (\`cli/target/pollen.aot\`: classes loaded and linked, method profiles), C1 and C2. **aot+c1**: the cache and \`-XX:TieredStopAtLevel=1\` (no C2): how bin/pollen runs \`demo\` and \`get\`. **c1**: C1 only, no cache."
  fi
  echo "- Loopback: $isolation."
  echo "- Date: $(date -u '+%a, %d %b %Y %H:%M:%S GMT'); JDK: $("$JAVA" -version 2>&1 | sed -n 2p); machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| mode | wall per round (s) | median wall (s) | median peak memory (MiB) | ok |"
  echo "|---|---|---:|---:|---|"
  for m in "${modes[@]}"; do
    echo "| $m | ${walls[$m]% } | $(echo "${walls[$m]}" | median) | $(echo "${peaks[$m]}" | median) | ${oks[$m]% } |"
  done
} > "$out"
cat "$out"

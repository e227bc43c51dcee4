#!/usr/bin/env bash
# bench/uring.sh -- io_uring against epoll, Pollen and Netty, in one run (issue #13):
#   1. where the server runs: pinned to cpu 0 (wrk on cpu 1, the harness's 1-loop setup) or
#      unpinned (both free), because io_uring's kernel side (task work, io-wq workers) runs in the
#      context of the server's cpus and pinning can starve it;
#   2. system calls per request: strace -c -f on the server while wrk sends a fixed load, counted
#      per request (strace slows every server alike; the counts, not the rates, are what it shows).
#
#   bench/uring.sh [ROUNDS] [SECONDS]      (default 3 rounds of 5 s per cell)
#
# Servers as the harness starts them (io.pollen.bench.servers.PollenServer --backend epoll|io_uring,
# NettyServer --transport epoll|io_uring; one loop each; the harness's JVM flags). Load: wrk, 1
# thread, 100 connections, plaintext GET, without and with 16 pipelined (bench/native/pipeline.lua).
# Rounds interleave servers and placements; each cell is the median. Writes bench/results/uring.md.
# SERVERS="a b ..." measures those servers instead (netty-io_uring-ring is Netty io_uring with its
# provided-buffer ring); OUT=FILE writes the report there instead.
# Needs a JDK 25, Maven, wrk, strace; MVN_FLAGS=-o builds offline; SKIP_BUILD=1 uses bench/target.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-3}"
SECS="${2:-5}"
. bench/java25.sh # sets JAVA
for tool in wrk strace taskset; do
  command -v "$tool" >/dev/null || { echo "bench/uring.sh needs $tool" >&2; exit 2; }
done
if [ -z "${SKIP_BUILD:-}" ]; then
  JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)" mvn -B -q ${MVN_FLAGS:-} -pl bench -am package -DskipTests \
    -Dpollen.aot.skip >&2
fi
CP="bench/target/classes:$(cat bench/target/harness.classpath)"
tmp="$(mktemp -d /tmp/pollen-uring.XXXXXX)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
read -r -a servers <<<"${SERVERS:-pollen-io_uring pollen-epoll netty-io_uring netty-epoll}"

start() { # $1 server, $2 placement (pinned|free); sets pid, port
  local main extra pin=()
  case $1 in
    pollen-*) main=io.pollen.bench.servers.PollenServer; extra=(--backend "${1#pollen-}") ;;
    netty-*)  main=io.pollen.bench.servers.NettyServer;  extra=(--transport "${1#netty-}") ;;
  esac
  [ "$2" = pinned ] && pin=(taskset -c 0)
  port=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768-), where wrk's sockets live
  "${pin[@]}" "$JAVA" -Xms256m -Xmx1g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED \
    -Dio.netty.leakDetection.level=disabled -cp "$CP" "$main" --http-port "$port" --echo-port $((port + 1)) \
    --loops 1 "${extra[@]}" >"$tmp/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do grep -q READY "$tmp/server.log" 2>/dev/null && break; sleep 0.05; done
  grep -q READY "$tmp/server.log" || { echo "$1 did not start: $(cat "$tmp/server.log")" >&2; exit 1; }
}
stop() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=""; }
load() { # $1 placement, $2 pipeline depth (0 = none), $3 seconds; prints requests/s and total requests
  local pin=() script=()
  [ "$1" = pinned ] && pin=(taskset -c 1)
  [ "$2" -gt 0 ] && script=(-s bench/native/pipeline.lua)
  "${pin[@]}" wrk -t1 -c100 -d"$3"s "${script[@]}" "http://127.0.0.1:$port/plaintext" -- "$2" 2>&1 |
    awk '/Requests\/sec/ {rps=$2} /requests in/ {n=$1} END {printf "%.0f %.0f\n", rps, n}'   # %.0f: awk prints 1e6 and up as 1.01477e+06
}

declare -A cells
for round in $(seq "$ROUNDS"); do
  for placement in pinned free; do
    for s in "${servers[@]}"; do
      start "$s" "$placement"
      load "$placement" 0 4 >/dev/null # warm-up: the JIT of a server pinned to one cpu needs it
      load "$placement" 16 4 >/dev/null
      for depth in 0 16; do
        read -r rps _ < <(load "$placement" "$depth" "$SECS")
        cells["$s,$placement,$depth"]+="$rps "
        echo "[uring] round $round $placement $s depth $depth: $rps req/s" >&2
      done
      stop
    done
  done
done

# System calls per request: one pass per server, unpinned, 16 pipelined and not.
declare -A sys
for s in "${servers[@]}"; do
  start "$s" free
  load free 16 2 >/dev/null
  for depth in 0 16; do
    strace -c -f -q -p "$pid" -o "$tmp/strace.txt" &
    spid=$!
    sleep 0.5
    read -r _ n < <(load free "$depth" 3)
    kill -INT "$spid"; wait "$spid" 2>/dev/null || true
    # strace -c columns: % time, seconds, usecs/call, calls, [errors], syscall
    calls=$(awk '$NF == "total" {print $4}' "$tmp/strace.txt")
    top=$(awk '$1 ~ /^[0-9.]+$/ && $NF != "total" {print $NF ":" $4}' "$tmp/strace.txt" |
      sort -t: -k2 -nr | head -3 | tr '\n' ' ')
    sys["$s,$depth"]="$(awk -v c="${calls:-0}" -v n="$n" 'BEGIN {printf "%.3f", (n > 0 ? c / n : 0)}') | ${top:-–}"
    echo "[uring] $s depth $depth: ${calls:-0} calls for $n requests; $top" >&2
  done
  stop
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
fmt() { awk '{n = sprintf("%d", $1); s = ""; while (length(n) > 3) { s = "," substr(n, length(n) - 2) s; n = substr(n, 1, length(n) - 3) } print n s}'; }
out=${OUT:-bench/results/uring.md}
{
  echo "# io_uring against epoll: placement and system calls (issue #13)"
  echo
  echo "- Command: \`${SERVERS:+SERVERS=\"$SERVERS\" }${OUT:+OUT=$OUT }bench/uring.sh $ROUNDS $SECS\`"
  echo "- Date: $(date -u +%FT%TZ), git $(git rev-parse --short HEAD); $(nproc) cpus ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(uname -r); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Servers: one loop each, JVM flags \`-Xms256m -Xmx1g -XX:+UseParallelGC\`; Netty 4.2 \`IoUringIoHandler\`/\`EpollIoHandler\` defaults (netty-io_uring-ring: with a provided-buffer ring, \`IoUringBufferRingConfig\` of 1,024 buffers, batch 64, adaptive allocator), Pollen \`--backend\`. Load: wrk 1 thread, 100 connections, ${SECS} s per cell after a warm-up of 4 s plain + 4 s pipelined per server start, median of $ROUNDS interleaved rounds."
  echo "- pinned: server \`taskset -c 0\`, wrk \`taskset -c 1\` (the harness's 1-loop setup). free: neither pinned (they share 2 cpus)."
  echo
  echo "| server | pinned req/s | free req/s | pinned, 16 pipelined | free, 16 pipelined |"
  echo "|---|---:|---:|---:|---:|"
  for s in "${servers[@]}"; do
    printf "| %s | %s | %s | %s | %s |\n" "$s" \
      "$(median <<<"${cells[$s,pinned,0]}" | fmt)" "$(median <<<"${cells[$s,free,0]}" | fmt)" \
      "$(median <<<"${cells[$s,pinned,16]}" | fmt)" "$(median <<<"${cells[$s,free,16]}" | fmt)"
  done
  echo
  echo "## System calls per request (strace -c -f on the server, free placement, 3 s of wrk)"
  echo
  echo "| server | calls/request | most frequent (calls) | calls/request, 16 pipelined | most frequent (calls) |"
  echo "|---|---:|---|---:|---|"
  for s in "${servers[@]}"; do
    echo "| $s | ${sys[$s,0]} | ${sys[$s,16]} |"
  done
} > "$out"
cat "$out"

#!/usr/bin/env bash
# bench/echo-cost.sh -- what one echoed message costs the server, Pollen and Netty, io_uring and
# epoll, in one run (issue #13).
#
#   bench/echo-cost.sh [ROUNDS] [SECONDS]     (default 3 rounds of 6 s per cell)
#
# Why: two servers that both keep up with the load generator show the same rate. What still tells
# them apart is the server's own cost per message: this script counts it with `perf stat` on the
# server process while the generator measures -- cpu time (task-clock, the JIT and GC threads
# included), system calls, io_uring submissions (io_uring:io_uring_submit_req) and completions
# (io_uring:io_uring_complete) -- and divides by the messages the generator counted in the same
# seconds. TCP segments per message (nstat's TcpOutSegs over the same seconds, both ends: the
# generator's requests and the server's replies; on loopback nothing else sends) show whether a
# server adds packets: the floor with 16 in flight is 2/16 (one request and one reply segment per
# connection's window, the ACKs riding on them), and a pure ACK or a reply split in two shows above it.
#
# Servers as the comparative harness starts them (io.pollen.bench.servers.PollenServer --backend,
# NettyServer --transport; one loop each; the harness's JVM flags). Load: bench/native/echo_load.c
# (one C epoll thread), 100 connections, 32-byte messages, depth 1 (ping-pong) and 16 in flight,
# 10 s warm-up (a shorter one left Netty's C2 compiler busy on the server's core during the
# measurement). Server on cpu 0, load on cpu 1. Rounds interleave the servers; each cell is the
# median of the rounds.
# SERVERS="A B ..." measures other servers (default: pollen-io_uring netty-io_uring pollen-epoll
# netty-epoll; netty-io_uring-ring is Netty's io_uring with its provided-buffer ring; c-io_uring and
# c-epoll are the C floors, bench/native/uring_echo.c and epoll_http.c, see bench/bench-server.sh).
# CAP=F (0 < F < 1) runs each server in a cpu cgroup limited to F of a cpu (as bench/echo-pairs.sh
# does; needs root): the server, not the generator, is then the limit, and what a server does per
# message at its most batched shows -- with 16 in flight and 32-byte messages, at best one recv and
# one send per 16 messages of a connection, i.e. 1/16 SQE and 2/16 CQE per message (the floor both
# servers reach there, which bounds how far apart their costs can be). Latencies under throttling
# are not comparable.
# Needs a JDK 25, Maven, gcc, taskset and perf with the raw_syscalls and io_uring tracepoints (run as
# root, or with perf_event_paranoid low enough). MVN_FLAGS=-o builds offline; SKIP_BUILD=1 uses
# bench/target as it is. Writes bench/results/echo-cost.md (with CAP=F: echo-cost-capF.md), or OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-3}"
SECS="${2:-6}"
WARMUP=10
. bench/java25.sh # sets JAVA
command -v perf >/dev/null || { echo "echo-cost.sh needs perf (linux-perf)" >&2; exit 2; }
command -v nstat >/dev/null || { echo "echo-cost.sh needs nstat (iproute2)" >&2; exit 2; }
. bench/bench-server.sh # build_bench, start_server
build_bench # sets CP
. bench/echo-load.sh # sets LOAD, compiling it if needed
tmp="$(mktemp -d /tmp/pollen-echo-cost.XXXXXX)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  cpu_cap_remove
  rm -rf "$tmp"
}
trap cleanup EXIT
events=task-clock,raw_syscalls:sys_enter,io_uring:io_uring_submit_req,io_uring:io_uring_complete
read -r -a servers <<< "${SERVERS:-pollen-io_uring netty-io_uring pollen-epoll netty-epoll}"
out=${OUT:-bench/results/echo-cost${CAP:+-cap$CAP}.md}
cap_note=""
if [ -n "${CAP:-}" ]; then
  cpu_cap "$CAP" pollen-echo-cost   # sets CAP_CGROUP, CAP_PROCS, CAP_QUOTA, CAP_PERIOD
  cap_note="Each server limited to $CAP of a cpu (cgroup cpu quota $CAP_QUOTA µs per $CAP_PERIOD µs): the server, not the generator, is the limit; p99s under throttling are not comparable."
fi

# One cell: starts the server, loads it, counts; prints "rate p99 gen_cpu cpu_ns sys sqe cqe segs
# spread" (per message; spread: the most messages one connection completed over the fewest, less 1,
# in %).
cell() {
  local server=$1 depth=$2
  start_server "$server" || exit 1
  server_pid=$SERVER_PID
  # Capped from the end of the warm-up (the JIT's threads would share the cap and still be busy
  # when the measurement starts): the whole JVM, every thread, moves into the cgroup.
  [ -n "${CAP:-}" ] && (sleep "$WARMUP"; echo "$server_pid" > "$CAP_PROCS") &
  # perf starts after the generator's connects and warm-up and stops before its measurement ends.
  # nstat brackets the same window (its own history file: the counts are this window's alone).
  (sleep "$((WARMUP + 1))"; perf stat -x, -e "$events" -p "$server_pid" -o "$tmp/stat" -- \
     env NSTAT_HISTORY="$tmp/nstat" sh -c "nstat -n; sleep $((SECS - 1)); nstat -z TcpOutSegs > $tmp/segs" \
     >/dev/null 2>&1) &
  local perf_pid=$!
  local out
  out=$(taskset -c 1 "$LOAD" \
    --port "$ECHO_PORT" --conns 100 --depths "$depth" --warmup "$WARMUP" --duration "$SECS")
  wait "$perf_pid" || true
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=""
  python3 - "$out" "$tmp/stat" "$((SECS - 1))" "$tmp/segs" <<'PY'
import json, sys
d = json.loads(sys.argv[1]); secs = float(sys.argv[3])
c = {}
for line in open(sys.argv[2]):
    p = line.strip().split(',')
    if len(p) > 3 and p[0][:1].isdigit():
        c[p[2]] = float(p[0])
msgs = d['rate'] * secs
segs = next((float(l.split()[1]) for l in open(sys.argv[4]) if l.startswith('TcpOutSegs')), 0)
print(d['rate'], d['p99_us'], d['gen_cpu'], c.get('task-clock', 0) * 1e6 / msgs,
      c.get('raw_syscalls:sys_enter', 0) / msgs, c.get('io_uring:io_uring_submit_req', 0) / msgs,
      c.get('io_uring:io_uring_complete', 0) / msgs, segs / msgs,
      100.0 * (d['conn_max'] / d['conn_min'] - 1) if d['conn_min'] > 0 else float('inf'))
PY
}

declare -A cells
for round in $(seq "$ROUNDS"); do
  for depth in 1 16; do
    for server in "${servers[@]}"; do
      r=$(cell "$server" "$depth")
      echo "[echo-cost] round $round depth $depth $server: $r" >&2
      cells["$server/$depth"]+="$r;"
    done
  done
done

median() { python3 -c "import sys,statistics as s; v=[float(x) for x in sys.argv[1:]]; print(s.median(v))" "$@"; }
{
  echo "# What one echoed message costs the server (issue #13)"
  echo
  echo "- Command: \`${SERVERS:+SERVERS=\"$SERVERS\" }${CAP:+CAP=$CAP }bench/echo-cost.sh $ROUNDS $SECS\`"
  echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ), git $(git rev-parse --short HEAD); $(nproc) cpus ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(uname -r); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Load: bench/native/echo_load.c (one C epoll thread), 100 connections, 32-byte messages, $SECS s measured after $WARMUP s of echo warm-up; server on cpu 0, the generator on cpu 1; perf stat on the server for the middle $((SECS - 1)) s. Medians of $ROUNDS interleaved rounds."
  [ -n "$cap_note" ] && echo "- $cap_note"
  echo "- Columns: msg/s and p99 from the generator; generator cpu = the generator's share of its core (near 1.00: the generator is the limit, not the server); then per message, on the server: cpu ns (task-clock, all its threads), system calls, io_uring submissions, io_uring completions; TCP segments sent by both ends (floor with 16 in flight: 2/16 = 0.125); last, the spread of messages per connection (the most one connection completed over the fewest, less 1: near 0 when the server serves its connections in turn)."
  echo
  for depth in 1 16; do
    [ "$depth" = 1 ] && echo "## Ping-pong (1 in flight per connection)" || echo "## 16 in flight per connection"
    echo
    echo "| server | msg/s | p99 µs | generator cpu | server cpu ns/msg | syscalls/msg | SQEs/msg | CQEs/msg | TCP segments/msg | per-connection spread |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for server in "${servers[@]}"; do
      IFS=';' read -r -a rows <<< "${cells[$server/$depth]}"
      cols=()
      for i in 0 1 2 3 4 5 6 7 8; do
        vals=(); for row in "${rows[@]}"; do read -r -a f <<< "$row"; vals+=("${f[$i]}"); done
        cols+=("$(median "${vals[@]}")")
      done
      printf '| %s | %.0f | %.0f | %.2f | %.0f | %.3f | %.3f | %.3f | %.3f | %.1f%% |\n' "$server" "${cols[@]}"
    done
    echo
  done
} > "$out"
cat "$out"

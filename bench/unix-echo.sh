#!/usr/bin/env bash
# bench/unix-echo.sh -- the echo load over a Unix domain socket against TCP loopback, Pollen and
# Netty, in one run (issue #14).
#
#   bench/unix-echo.sh [ROUNDS] [SECONDS]     (default 2 rounds of 5 s per cell)
#
# Servers as the comparative harness starts them: io.pollen.bench.servers.PollenServer (epoll
# backend) and NettyServer (--transport epoll: EpollServerDomainSocketChannel for the Unix socket),
# one loop each, both listening on TCP and on a socket file. The load is bench/native/echo_load.c
# (one C epoll thread, 50 connections, 32-byte messages, depth 1 = ping-pong and depth 16 in
# flight). Server on CPU 0, load on CPU 1 (PIN=0: no pinning). Rounds interleave the servers; the
# table shows each cell's median.
# Needs a JDK 25, Maven and gcc; MVN_FLAGS=-o builds offline; SKIP_BUILD=1 uses bench/target as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-2}"
SECS="${2:-5}"
. bench/java25.sh # sets JAVA
. bench/bench-server.sh # build_bench, start_server
build_bench # sets CP
. bench/echo-load.sh # sets LOAD, compiling it if needed
pin_server=(); pin_load=()
if [ "${PIN:-1}" = 1 ] && command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  pin_server=(taskset -c 0); pin_load=(taskset -c 1)
fi
tmp="$(mktemp -d /tmp/pollen-unix-echo.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

declare -A cells
for round in $(seq "$ROUNDS"); do
  for server in pollen netty; do
    sock="$tmp/$server.sock"; rm -f "$sock"
    http=$((21000 + RANDOM % 20000)); echo=$((http + 1))
    case $server in
      pollen) main=io.pollen.bench.servers.PollenServer; extra=(--backend epoll) ;;
      netty)  main=io.pollen.bench.servers.NettyServer;  extra=(--transport epoll) ;;
    esac
    "${pin_server[@]}" "$JAVA" -Xms256m -Xmx1g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED \
      -Dio.netty.leakDetection.level=disabled -cp "$CP" "$main" --http-port "$http" --echo-port "$echo" \
      --loops 1 --unix "$sock" "${extra[@]}" >"$tmp/$server.log" 2>&1 &
    pid=$!
    for _ in $(seq 200); do grep -q READY "$tmp/$server.log" 2>/dev/null && [ -S "$sock" ] && break; sleep 0.05; done
    grep -q READY "$tmp/$server.log" || { echo "$server did not start: $(cat "$tmp/$server.log")" >&2; kill "$pid"; exit 1; }
    for transport in tcp unix; do
      target=(--port "$echo"); [ "$transport" = unix ] && target=(--unix "$sock")
      out="$("${pin_load[@]}" "$LOAD" "${target[@]}" \
        --conns 50 --depths 1,16 --size 32 --warmup 1 --duration "$SECS")"
      while read -r line; do
        depth=$(sed -n 's/.*"depth":\([0-9]*\).*/\1/p' <<<"$line")
        rate=$(sed -n 's/.*"rate":\([0-9.]*\).*/\1/p' <<<"$line")
        errors=$(sed -n 's/.*"errors":\([0-9]*\).*/\1/p' <<<"$line")
        [ -n "$depth" ] || continue
        [ "$errors" = 0 ] || echo "warning: $server $transport depth $depth: $errors errors" >&2
        cells["$server,$transport,$depth"]+="$rate "
      done <<<"$out"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
printf '| server | transport | depth 1 msg/s | depth 16 msg/s |\n|---|---|---:|---:|\n'
for server in pollen netty; do
  for transport in tcp unix; do
    d1=$(echo "${cells[$server,$transport,1]}" | median); d16=$(echo "${cells[$server,$transport,16]}" | median)
    printf '| %s | %s | %.0f | %.0f |\n' "$server" "$transport" "$d1" "$d16"
  done
done

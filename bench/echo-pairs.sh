#!/usr/bin/env bash
# bench/echo-pairs.sh -- two echo servers compared in back-to-back pairs, so that the machine's
# drift cancels out of their ratio (issue #13).
#
#   bench/echo-pairs.sh [PAIRS] [SECONDS] [A] [B] [C ...]   (default 20 pairs of 3 s, pollen-io_uring netty-io_uring)
#   CAP=0.5 bench/echo-pairs.sh ...                 (each server limited to half a cpu, see below)
#   A, B, ...: any server bench/bench-server.sh starts (pollen-*, netty-*, the C floors c-io_uring and c-epoll)
#
# Why: on a shared machine the rate one server reaches moves by 15-40% from one minute to the next,
# more than the 10% a target asks to tell apart; medians of a few rounds taken minutes apart (the
# harness, bench/echo-cost.sh) still carry that drift. Here both servers run the whole time (each
# pinned to cpu 0, idle while the other is measured), each is warmed once with echo load (20 s, so
# that both JITs are done), then the generator (bench/native/echo_load.c, pinned to cpu 1, 100
# connections, 32-byte messages, fresh connections for every measurement, 1 s of load before each)
# measures A and B one right after the other: A B, then B A (ABBA order, so that a steady drift
# favours neither). Each pair gives one ratio A/B taken seconds apart; the report gives the median
# of those ratios, a 95% bootstrap interval for that median, and in how many pairs A was ahead.
# Depths 16 and 1 (16 in flight per connection, and ping-pong); p99s are compared the same way.
# Three or more servers (e.g. c-io_uring pollen-io_uring netty-io_uring-ring) are measured in
# rounds instead of pairs: each round measures every server once, in an order that goes through
# the permutations so that every two servers are measured in both orders equally often (AB BA for
# two, the old pairs), and the report compares every two of them over the same rounds. Why: a
# ratio inferred through a third server from two separate runs (A/C over B/C for A/B) carries the
# drift of both runs, and on this project's hosts such a ratio and the direct one differed by 10%.
#
# CAP=F (0 < F < 1): the servers run in a cpu cgroup limited to F of a cpu (CFS bandwidth: a quota of
# F x the period, the period at least 2 ms and long enough for a 1 ms quota). Why: with a whole core
# each, a server that keeps up with the generator is measured at the generator's pace -- the
# generator does the same work per message for every server (the traffic is the same 512-byte
# segments both ways), so its core, not the server's, sets the rate (generator cpu near 1.00). Capped,
# the server is the one that runs out of cpu and the rate tells servers apart by what a message
# costs them. Throttling makes the latencies meaningless (the p99 is the throttling period); read
# the rates only. Needs root and a cgroup v1 cpu controller (/sys/fs/cgroup/cpu) or cgroup v2.
# RATE16=R16 RATE1=R1 (messages per second, both or neither): a fixed offered load instead of as
# fast as possible (echo_load --rate). Why: with a core each the generator sets the pace, and a cap
# throttles the servers, which changes how they batch. Offered the same load, below what either
# needs a whole core for, both servers do the same work and have cpu to spare; what differs is how
# much of it they spend: the server's cpu time (/proc/PID/stat, every thread of the JVM) over each
# measurement, per message. Its inverse ratio is how much more one server could carry on the same
# cpu. The p99 is comparable here too: the same load for both, neither saturated. A measurement
# whose rate falls short of the offered load (the server did not keep up) is marked. Writes
# echo-pairs[-A-vs-B]-rateR16-R1.{md,csv}.
# BASE=REV builds commit REV too (in a git worktree outside the repository): a server named
# NAME@HASH (REV's short hash) is NAME as built there, so that two commits are compared, e.g.
# BASE=c63fdf8 bench/echo-pairs.sh 12 3 pollen-io_uring pollen-io_uring@c63fdf8.
# Needs a JDK 25, Maven, gcc, taskset. MVN_FLAGS=-o builds offline; SKIP_BUILD=1 uses bench/target
# as it is. Writes bench/results/echo-pairs.md and bench/results/echo-pairs.csv (every measurement);
# with CAP=F, bench/results/echo-pairs-capF.{md,csv} (e.g. echo-pairs-cap0.5.md). Another pair of
# servers than the default writes echo-pairs-A-vs-B.{md,csv} (and -capF after it), so that the
# default pair's results stay. TAG=NAME appends -NAME to those names (e.g. TAG=amd), so that a run
# on another host or setup keeps the committed results it would otherwise overwrite.
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS="${1:-20}"
SECS="${2:-3}"
A="${3:-pollen-io_uring}"
B="${4:-netty-io_uring}"
SERVERS=("$A" "$B" "${@:5}")
WARMUP=20
[[ ${TAG:-x} =~ ^[A-Za-z0-9._-]+$ ]] || { echo "TAG=$TAG: letters, digits, '.', '_' and '-' only (it goes into a file name)" >&2; exit 2; }
. bench/java25.sh # sets JAVA
. bench/bench-server.sh # build_bench, start_server
build_bench # sets CP
. bench/echo-load.sh # sets LOAD, compiling it if needed
tmp="$(mktemp -d /tmp/pollen-echo-pairs.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  cpu_cap_remove
  remove_base
  rm -rf "$tmp"
}
trap cleanup EXIT
[ -z "${BASE:-}" ] || build_base "$BASE" # sets BASE_LABEL: a server NAME@BASE_LABEL is NAME built at BASE
out=bench/results/echo-pairs
[ "${SERVERS[*]}" = "pollen-io_uring netty-io_uring" ] || out="$out-$(IFS=,; echo "${SERVERS[*]}" | sed 's/,/-vs-/g')"
cap_note=""
rate_note=""
if [ -n "${RATE16:-}${RATE1:-}" ]; then
  [[ "${RATE16:-}" =~ ^[1-9][0-9]*$ && "${RATE1:-}" =~ ^[1-9][0-9]*$ ]] \
    || { echo "RATE16=${RATE16:-} RATE1=${RATE1:-}: want both, each a whole number of messages per second" >&2; exit 2; }
  [ -z "${CAP:-}" ] || { echo "RATE16/RATE1 and CAP measure different things: give one of them" >&2; exit 2; }
  out=$out-rate$RATE16-$RATE1
  rate_note="A fixed offered load: $RATE16 messages/s at 16 in flight, $RATE1 in ping-pong (echo_load --rate), below what either server needs a whole core for. The servers' cost per message is their cpu time over the measurement divided by the messages; the p99s are at the same load."
fi
if [ -n "${CAP:-}" ]; then
  cpu_cap "$CAP" pollen-echo-pairs   # sets CAP_CGROUP, CAP_PROCS, CAP_QUOTA, CAP_PERIOD
  procs=$CAP_PROCS
  out=$out-cap$CAP
  cap_note="Each server is limited to $CAP of a cpu (cgroup cpu quota $CAP_QUOTA µs per $CAP_PERIOD µs), so that the server, not the generator, runs out of cpu; latencies under throttling are not comparable, read the rates."
fi
[ -n "${TAG:-}" ] && out=$out-$TAG

declare -A port pid
for s in "${SERVERS[@]}"; do
  start_server "$s"
  pids+=("$SERVER_PID")
  pid[$s]=$SERVER_PID
  [ -n "${CAP:-}" ] && echo "$SERVER_PID" > "$procs"   # every thread of the JVM, the JIT's included
  port[$s]=$ECHO_PORT
  echo "[echo-pairs] warming $s for $WARMUP s" >&2
  taskset -c 1 "$LOAD" --port "$ECHO_PORT" --conns 100 --depths 16 --warmup "$WARMUP" --duration 1 > /dev/null
done

csv="$tmp/pairs.csv"
echo "depth,pair,server,rate,p99_us,gen_cpu,offered,server_cpu" > "$csv"
ticks() { # a process's user + system cpu, in clock ticks (/proc/PID/stat fields 14 and 15)
  python3 -c 'import sys; s = open("/proc/%s/stat" % sys.argv[1]).read(); f = s[s.rindex(")") + 2:].split(); print(int(f[11]) + int(f[12]))' "$1"
}
hz=$(getconf CLK_TCK)
measure() { # server depth pair -> appends one csv row
  local out offered=0 c0 c1 t0 t1
  [ -n "$rate_note" ] && { if [ "$2" = 16 ]; then offered=$RATE16; else offered=$RATE1; fi; }
  c0=$(ticks "${pid[$1]}"); t0=$(date +%s.%N)
  out=$(taskset -c 1 "$LOAD" --port "${port[$1]}" --conns 100 --depths "$2" --warmup 1 --duration "$SECS" --rate "$offered")
  c1=$(ticks "${pid[$1]}"); t1=$(date +%s.%N)
  # the server's share of a cpu over the whole run of the generator (its 1 s of warm-up included;
  # at a fixed load that is the same work per second throughout)
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); a=sys.argv; cpu=(int(a[6])-int(a[5]))/float(a[9])/(float(a[8])-float(a[7])); print("%s,%s,%s,%.1f,%.1f,%.3f,%s,%.4f" % (a[2], a[3], a[4], d["rate"], d["p99_us"], d["gen_cpu"], d.get("offered", 0), cpu))' \
    "$out" "$2" "$3" "$1" "$c0" "$c1" "$t0" "$t1" "$hz" >> "$csv"
  echo "[echo-pairs] depth $2 pair $3 $1: $(tail -1 "$csv" | cut -d, -f4-)" >&2
}
# The order of round R: the permutations of the servers, each followed by its reverse, in turn
# (two servers: A B, then B A), so that every two servers are measured in both orders equally often.
order() {
  python3 -c 'import itertools, sys
n, r = int(sys.argv[1]), int(sys.argv[2]) - 1
seen, seq = set(), []
for p in itertools.permutations(range(n)):
    if p not in seen:
        seen.update((p, p[::-1])); seq += [p, p[::-1]]
print(" ".join(sys.argv[3 + i] for i in seq[r % len(seq)]))' "${#SERVERS[@]}" "$1" "${SERVERS[@]}"
}
for depth in 16 1; do
  for pair in $(seq "$PAIRS"); do
    for s in $(order "$pair"); do measure "$s" "$depth" "$pair"; done
  done
done
cp "$csv" "$out.csv"

python3 - "$csv" "$(IFS=,; echo "${SERVERS[*]}")" "$PAIRS" "$SECS" "$(git rev-parse --short HEAD)" "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$(uname -r)" "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "${CAP:-}" "$cap_note" "$(basename "$out").csv" "$rate_note" "${RATE16:-}" "${RATE1:-}" "${BASE:-}" "${TAG:-}" > "$out.md" <<'PY'
import csv, random, statistics, sys, datetime
path, servers, pairs, secs, git, cpus, model, kernel, load, cap, cap_note, csv_name, rate_note, rate16, rate1, base, tag = sys.argv[1:]
servers = servers.split(",")
a, b = servers[0], servers[1]
rows = list(csv.DictReader(open(path)))
random.seed(13)  # a fixed seed: the same csv always gives the same interval

def pairs_at(depth, a, b):
    """The rounds measured at depth in which both a and b were measured: {server: row} each."""
    by = {}
    for r in rows:
        if r["depth"] == depth:
            by.setdefault(r["pair"], {})[r["server"]] = r
    return [p for p in by.values() if a in p and b in p]

def measured(a, b):
    """(label, pairs) for each depth that has pairs of a and b, 16 in flight first."""
    for depth in ("16", "1"):
        full = pairs_at(depth, a, b)
        if full:
            yield ("ping-pong" if depth == "1" else depth + " in flight"), full

def med(full, server, key):
    """The median of a server's column over the pairs."""
    return statistics.median(float(p[server][key]) for p in full)

def interval(ratios):
    """95% bootstrap interval of the median of the per-pair ratios."""
    meds = sorted(statistics.median(random.choices(ratios, k=len(ratios))) for _ in range(10000))
    return meds[249], meds[9749]

if len(servers) == 2:
    print("# %s against %s, back-to-back pairs" % (a, b))
else:
    print("# %s and %s, in interleaved rounds" % (", ".join(servers[:-1]), servers[-1]))
print()
env = ("BASE=%s " % base if base else "") + ("TAG=%s " % tag if tag else "") + ("CAP=%s " % cap if cap else "") + ("RATE16=%s RATE1=%s " % (rate16, rate1) if rate_note else "")
print("- Command: `%sbench/echo-pairs.sh %s %s %s`" % (env, pairs, secs, " ".join(servers)))
print("- Date: %s, git %s; %s cpus (%s), %s; load average at the end: %s"
      % (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), git, cpus, model, kernel, load))
if len(servers) == 2:
    print("- Both servers run the whole time, pinned to cpu 0 (one loop each, the harness's JVM flags), each"
          " warmed once with 20 s of echo load; the generator (bench/native/echo_load.c, one C epoll thread, pinned"
          " to cpu 1; 100 connections, 32-byte messages) measures them in turn on fresh connections, %s s each"
          " after 1 s of load, A then B, then B then A. One ratio per pair; the median of the ratios, its 95%%"
          " bootstrap interval (10,000 resamples) and the pairs %s won. Every measurement: [%s](%s)." % (secs, a, csv_name, csv_name))
else:
    print("- All %d servers run the whole time, pinned to cpu 0 (one loop each, the harness's JVM flags), each"
          " warmed once with 20 s of echo load; the generator (bench/native/echo_load.c, one C epoll thread, pinned"
          " to cpu 1; 100 connections, 32-byte messages) measures every server once per round, in turn on fresh"
          " connections, %s s each after 1 s of load, the order going through the permutations so that every two"
          " servers are measured in both orders equally often. Each two servers below are compared over the same"
          " rounds: one ratio per round; the median of the ratios, its 95%% bootstrap interval (10,000 resamples)"
          " and the rounds the first of the two won. Every measurement: [%s](%s)." % (len(servers), secs, csv_name, csv_name))
for note in (cap_note, rate_note):
    if note:
        print("- " + note)
print()
def report(a, b):
    """The two tables for servers a and b, over the rounds in which both were measured."""
    print("| depth | pairs | %s msg/s (median) | %s msg/s (median) | rate ratio A/B, median [95%%] | A ahead | %s p99 µs | %s p99 µs | p99 ratio A/B, median [95%%] | generator cpu A / B |" % (a, b, a, b))
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, full in measured(a, b):
        rate = [float(p[a]["rate"]) / float(p[b]["rate"]) for p in full]
        p99 = [float(p[a]["p99_us"]) / float(p[b]["p99_us"]) for p in full]
        lo, hi = interval(rate)
        plo, phi = interval(p99)
        print("| %s | %d | %.0f | %.0f | %.3f [%.3f–%.3f] | %d of %d | %.0f | %.0f | %.3f [%.3f–%.3f] | %.2f / %.2f |"
              % (label, len(full), med(full, a, "rate"), med(full, b, "rate"),
                 statistics.median(rate), lo, hi, sum(1 for x in rate if x > 1), len(full), med(full, a, "p99_us"),
                 med(full, b, "p99_us"), statistics.median(p99), plo, phi, med(full, a, "gen_cpu"), med(full, b, "gen_cpu")))
    print()
    print("Generator cpu near 1.00 means the generator, not the server, set the pace of that measurement.")
    print()
    print("What the servers spent: their cpu (share of one core, every JVM thread, over each measurement) and"
          " that per message. The cost ratio is B's cost over A's, per pair: above 1, A needs less cpu per"
          " message, and could carry that much more on the same cpu.")
    print()
    print("| depth | %s cpu | %s cpu | %s µs cpu/msg | %s µs cpu/msg | cost ratio B/A, median [95%%] | A cheaper | short of the offered load |" % (a, b, a, b))
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, full in measured(a, b):
        cost = lambda r: float(r["server_cpu"]) / float(r["rate"]) * 1e6
        ratio = [cost(p[b]) / cost(p[a]) for p in full]
        lo, hi = interval(ratio)
        short = sum(1 for p in full for s in (a, b) if float(p[s]["offered"]) > 0 and float(p[s]["rate"]) < 0.98 * float(p[s]["offered"]))
        print("| %s | %.2f | %.2f | %.3f | %.3f | %.3f [%.3f–%.3f] | %d of %d | %s |"
              % (label, med(full, a, "server_cpu"), med(full, b, "server_cpu"),
                 statistics.median(cost(p[a]) for p in full), statistics.median(cost(p[b]) for p in full),
                 statistics.median(ratio), lo, hi, sum(1 for x in ratio if x > 1), len(full),
                 ("%d of %d measurements" % (short, 2 * len(full))) if rate_note else "–"))


if len(servers) == 2:
    report(a, b)
else:
    for i, x in enumerate(servers):
        for y in servers[i + 1:]:
            print("## %s against %s" % (x, y))
            print()
            report(x, y)
            print()
PY
cat "$out.md"

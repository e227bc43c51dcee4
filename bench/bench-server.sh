# bench/bench-server.sh -- sourced by the bench scripts (after bench/java25.sh, from the repository
# root):
#   build_bench        builds the bench module and what it needs (not with SKIP_BUILD=1; MVN_FLAGS
#                      go to Maven, -o builds offline) and sets CP to the harness's classpath;
#   start_server NAME  starts one harness server (pollen-epoll, pollen-io_uring, netty-epoll,
#                      netty-io_uring, ...) on cpu 0 with the harness's JVM flags, waits for its
#                      READY line and sets SERVER_PID and ECHO_PORT. Needs tmp (a scratch folder).
#                      c-epoll and c-io_uring are the C floors (bench/native/epoll_http.c and
#                      uring_echo.c, compiled by bench/native.sh when missing or older than their source;
#                      c-io_uring serves echo only; c-io_uring-spinN is it with --spin-ns N,
#                      c-io_uring-fixed with --fixed-files 1).
#   build_base REV     builds REV in a git worktree under $tmp/base (outside the repository; MVN_FLAGS
#                      as above) and sets BASE_CP and BASE_LABEL (REV's short hash): start_server
#                      NAME@BASE_LABEL then runs NAME as built at REV, for A/B runs of two commits.
#                      remove_base removes the worktree (call it on exit).
#   cpu_cap F NAME     makes a cpu cgroup limited to F (0 < F < 1) of a cpu (CFS bandwidth: a quota
#                      of F x the period, the period at least 2 ms and long enough for a 1 ms quota;
#                      cgroup v1 or v2, needs root) and sets CAP_CGROUP, CAP_PROCS (write a pid there
#                      to move the whole process in), CAP_QUOTA and CAP_PERIOD (µs). Exits 2 if CAP
#                      is not a fraction or no cgroup can be made.
#   cpu_cap_remove     removes that cgroup once its processes are gone (call after killing them).
. bench/native.sh # native_build
build_bench() {
  if [ -z "${SKIP_BUILD:-}" ]; then
    JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)" mvn -B -q ${MVN_FLAGS:-} -pl bench -am package -DskipTests \
      -Dpollen.aot.skip >&2
  fi
  CP="bench/target/classes:$(cat bench/target/harness.classpath)"
}

build_base() {
  git worktree add -q --detach "$tmp/base" "$1"
  echo "[bench] building $1 in $tmp/base ..." >&2
  (cd "$tmp/base" && JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)" \
    mvn -B -q ${MVN_FLAGS:-} -pl bench -am package -DskipTests -Dpollen.aot.skip >&2)
  BASE_CP="$tmp/base/bench/target/classes:$(cat "$tmp/base/bench/target/harness.classpath")"
  BASE_LABEL="$(git rev-parse --short "$1")"
}

remove_base() {
  if [ -n "${tmp:-}" ] && [ -d "$tmp/base" ]; then git worktree remove --force "$tmp/base" >/dev/null 2>&1 || true; fi
}

start_server() {
  local server=$1 main transport http log cp=$CP
  if [[ $server == *@* ]]; then   # NAME@BASE_LABEL: NAME as built by build_base
    [ "${server#*@}" = "${BASE_LABEL:-}" ] \
      || { echo "$server: no build of ${server#*@} here (build_base; BASE=REV in the scripts that take it)" >&2; return 2; }
    cp=$BASE_CP
  fi
  case $server in
    pollen-*) main=io.pollen.bench.servers.PollenServer ;;
    netty-*)  main=io.pollen.bench.servers.NettyServer ;;
    c-epoll)  main=epoll_http ;;
    c-io_uring|c-io_uring-spin*|c-io_uring-fixed) main=uring_echo ;;
    *) echo "unknown server $server (pollen-*, netty-*, c-epoll or c-io_uring)" >&2; return 2 ;;
  esac
  transport=${server#*-}; transport=${transport%@*}
  http=$((21000 + RANDOM % 10000)); ECHO_PORT=$((http + 1))
  log="$tmp/$server.log"
  if [[ $server == c-* ]]; then
    local bin=bench/target/native/$main
    native_build "$main" || return 1
    local extra=()
    [[ $server == c-io_uring-spin* ]] && extra=(--spin-ns "${server#c-io_uring-spin}")
    [[ $server == c-io_uring-fixed ]] && extra=(--fixed-files 1)
    taskset -c 0 "$bin" --http-port "$http" --echo-port "$ECHO_PORT" "${extra[@]}" > "$log" 2>&1 &
  else
    taskset -c 0 "$JAVA" -Xms256m -Xmx1g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED \
      -Dio.netty.leakDetection.level=disabled -cp "$cp" "$main" --http-port "$http" --echo-port "$ECHO_PORT" \
      --transport "$transport" > "$log" 2>&1 &
  fi
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q READY "$log" && return 0; sleep 0.1; done
  echo "$server did not start: $(cat "$log")" >&2
  return 1
}

cpu_cap() {
  local f=$1 name=$2
  read -r CAP_PERIOD CAP_QUOTA < <(python3 -c 'import sys; f = float(sys.argv[1]); assert 0 < f < 1; p = max(2000, int(1000 / f + 0.5)); print(p, int(p * f + 0.5))' "$f" 2>/dev/null) \
    || { echo "CAP=$f: want a fraction of a cpu, 0 < CAP < 1" >&2; exit 2; }
  if [ -d /sys/fs/cgroup/cpu ] && [ -w /sys/fs/cgroup/cpu ]; then          # cgroup v1
    CAP_CGROUP=/sys/fs/cgroup/cpu/$name.$$
    mkdir "$CAP_CGROUP"
    echo "$CAP_PERIOD" > "$CAP_CGROUP/cpu.cfs_period_us"; echo "$CAP_QUOTA" > "$CAP_CGROUP/cpu.cfs_quota_us"
  elif [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then   # v2
    CAP_CGROUP=/sys/fs/cgroup/$name.$$
    grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu > /sys/fs/cgroup/cgroup.subtree_control
    mkdir "$CAP_CGROUP"
    echo "$CAP_QUOTA $CAP_PERIOD" > "$CAP_CGROUP/cpu.max"
  else
    echo "CAP needs a writable cpu cgroup (v1 /sys/fs/cgroup/cpu or v2 with the cpu controller); run as root" >&2
    exit 2
  fi
  CAP_PROCS="$CAP_CGROUP/cgroup.procs"
}

cpu_cap_remove() {
  if [ -n "${CAP_CGROUP:-}" ]; then   # empty only once the JVMs' last threads have left it
    for _ in $(seq 50); do rmdir "$CAP_CGROUP" 2>/dev/null && break; sleep 0.1; done
    CAP_CGROUP=""
  fi
}

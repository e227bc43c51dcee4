# bench/bench-server.sh -- sourced by the bench scripts (after bench/java25.sh, from the repository
# root):
#   build_bench        builds the bench module and what it needs (not with SKIP_BUILD=1; MVN_FLAGS
#                      go to Maven, -o builds offline) and sets CP to the harness's classpath;
#   start_server NAME  starts one harness server (pollen-epoll, pollen-io_uring, netty-epoll,
#                      netty-io_uring, ...) on cpu 0 with the harness's JVM flags, waits for its
#                      READY line and sets SERVER_PID and ECHO_PORT. Needs tmp (a scratch folder).
build_bench() {
  if [ -z "${SKIP_BUILD:-}" ]; then
    JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)" mvn -B -q ${MVN_FLAGS:-} -pl bench -am package -DskipTests \
      -Dpollen.aot.skip >&2
  fi
  CP="bench/target/classes:$(cat bench/target/harness.classpath)"
}

start_server() {
  local server=$1 main transport http log
  case $server in
    pollen-*) main=io.pollen.bench.servers.PollenServer ;;
    netty-*)  main=io.pollen.bench.servers.NettyServer ;;
    *) echo "unknown server $server (pollen-* or netty-*)" >&2; return 2 ;;
  esac
  transport=${server#*-}
  http=$((21000 + RANDOM % 10000)); ECHO_PORT=$((http + 1))
  log="$tmp/$server.log"
  taskset -c 0 "$JAVA" -Xms256m -Xmx1g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED \
    -Dio.netty.leakDetection.level=disabled -cp "$CP" "$main" --http-port "$http" --echo-port "$ECHO_PORT" \
    --transport "$transport" > "$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q READY "$log" && return 0; sleep 0.1; done
  echo "$server did not start: $(cat "$log")" >&2
  return 1
}

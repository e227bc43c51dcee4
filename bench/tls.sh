#!/usr/bin/env bash
# bench/tls.sh -- HTTPS plaintext: Pollen's HttpServer.tls against Netty's SslHandler on the JDK provider.
#
#   bench/tls.sh [SECONDS]     (default 10 s per measurement, 4 measurements, plus 3 s warm-up per server)
#
# Same JVM, same SSLEngine, same EC P-256 certificate (made here with openssl), same cipher suite
# for both (TLS 1.3, TLS_AES_128_GCM_SHA256, set through jdk.tls.server.* properties), one event
# loop each, epoll. Two measurements per server with wrk over https://:
#   keep-alive   wrk -t1 -c32                          requests/s on 32 kept-alive TLS connections
#   handshakes   wrk -t1 -c32 -H 'Connection: close'   one full handshake per request
# The server runs on CPU 0 and wrk on CPU 1 when taskset exists (PIN=0: no pinning). Needs wrk (built with OpenSSL),
# openssl, Maven and a JDK 25; MVN_FLAGS=-o builds offline. Numbers from a shared or noisy
# machine are indicative only.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-10}"
for tool in wrk openssl mvn; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench/tls.sh: '$tool' not found" >&2; exit 2; }
done
. bench/java25.sh # sets JAVA

echo "[tls] building (mvn -pl bench -am package -DskipTests) ..." >&2
JAVA_HOME="$(cd "$(dirname "$JAVA")/.." && pwd)" MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED" \
  mvn -B -q ${MVN_FLAGS:-} -pl bench -am package -DskipTests -Dpollen.aot.skip >&2

dir=bench/target/tls
mkdir -p "$dir"
if [ ! -f "$dir/cert.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$dir/key.pem" \
    -out "$dir/cert.pem" -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
fi

CP="bench/target/classes:$(cat bench/target/harness.classpath)"
JOPTS=(-Xmx512m --enable-native-access=ALL-UNNAMED -Dio.netty.leakDetection.level=disabled
       -Djdk.tls.server.protocols=TLSv1.3 -Djdk.tls.server.cipherSuites=TLS_AES_128_GCM_SHA256)
pin_server=(); pin_wrk=()
if [ "${PIN:-1}" = 1 ] && command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then pin_server=(taskset -c 0); pin_wrk=(taskset -c 1); fi

port=18443
printf '| server | keep-alive req/s | handshakes/s (Connection: close) |\n|---|---:|---:|\n'
for server in PollenTlsServer NettyTlsServer; do
  log="$dir/$server.log"
  "${pin_server[@]}" "$JAVA" "${JOPTS[@]}" -cp "$CP" "io.pollen.bench.servers.$server" \
    --port "$port" --cert "$dir/cert.pem" --key "$dir/key.pem" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q READY "$log" 2>/dev/null && break; sleep 0.1; done
  grep -q READY "$log" || { echo "$server did not start: $(cat "$log")" >&2; kill "$pid"; exit 1; }
  url="https://127.0.0.1:$port/plaintext"
  "${pin_wrk[@]}" wrk -t1 -c32 -d3s "$url" >/dev/null # warm-up: the JIT compiles both paths
  ka=$("${pin_wrk[@]}" wrk -t1 -c32 -d"${SECONDS_EACH}s" "$url" | awk '/Requests\/sec/ {print $2}')
  hs=$("${pin_wrk[@]}" wrk -t1 -c32 -d"${SECONDS_EACH}s" -H 'Connection: close' "$url" | awk '/Requests\/sec/ {print $2}')
  printf '| %s | %s | %s |\n' "$server" "$ka" "$hs"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  port=$((port + 1))
done

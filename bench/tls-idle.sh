#!/usr/bin/env bash
# bench/tls-idle.sh -- live heap per idle kept-alive HTTPS connection of `pollen serve` (not a test).
#
#   bench/tls-idle.sh [CONNECTIONS]     (default 400)
#
# Starts `bin/pollen serve --tls-cert --tls-key` on one loop (POLLEN_JAR picks the jar, e.g. one
# built from another commit), has python3 open CONNECTIONS TLS connections that each send one
# keep-alive GET /plaintext, read the answer and stay open, idle; reads the server's live heap with
# `jcmd GC.class_histogram` (a full GC first: only reachable objects count) before they connect
# and while they are open, and prints the difference per connection. Bounded: the clients end when
# the script closes their stdin; the script stops the server it started, by its pid.
# Build the jar first: mvn -B -o -q -pl cli -am package -DskipTests -Dpollen.aot.skip
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-400}"
for tool in openssl python3 jcmd; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench/tls-idle.sh: '$tool' not found" >&2; exit 2; }
done
dir="$(mktemp -d)"
pid=""; cpid=""
stop() {
  [ -n "$cpid" ] && { exec 3>&- 2>/dev/null || true; wait "$cpid" 2>/dev/null || true; }
  [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$dir"
}
trap stop EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$dir/key.pem" \
  -out "$dir/cert.pem" -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
cat >"$dir/clients.py" <<'PY'
import socket, ssl, sys
port, ca, n, hold = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "hold"
ctx = ssl.create_default_context(cafile=ca)
conns = []
for i in range(n):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname="localhost")
    s.sendall(b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n")
    got = b""
    while b"Hello, World!" not in got:
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit("connection %d closed early: %r" % (i, got))
        got += chunk
    conns.append(s)
if hold:
    print("READY", flush=True)
    sys.stdin.read()   # until the script closes our stdin
for s in conns:
    s.close()
PY
port=$((20000 + RANDOM % 20000))
POLLEN_JAVA_OPTS="-Xmx256m ${POLLEN_JAVA_OPTS:-}" bin/pollen serve --loops 1 --port "$port" \
  --tls-cert "$dir/cert.pem" --tls-key "$dir/key.pem" >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q "Ctrl-C" "$dir/serve.log" 2>/dev/null && break; sleep 0.1; done
grep -q "Ctrl-C" "$dir/serve.log" || { echo "server did not start: $(cat "$dir/serve.log")" >&2; exit 1; }
jpid="$(pgrep -P "$pid" java || echo "$pid")"
heap() { jcmd "$jpid" GC.class_histogram | awk '/^Total/ {print $3}'; }
python3 "$dir/clients.py" "$port" "$dir/cert.pem" 20 close # warm-up: classes loaded, sessions cached
sleep 0.5
before=$(heap)
mkfifo "$dir/stdin"
python3 "$dir/clients.py" "$port" "$dir/cert.pem" "$N" hold <"$dir/stdin" >"$dir/clients.log" 2>&1 &
cpid=$!
exec 3>"$dir/stdin"
for _ in $(seq 600); do grep -q READY "$dir/clients.log" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$dir/clients.log" || { echo "clients failed: $(cat "$dir/clients.log")" >&2; exit 1; }
sleep 0.5
during=$(heap)
echo "connections=$N live_heap_before=$before live_heap_with_idle=$during bytes_per_idle_connection=$(( (during - before) / N ))"

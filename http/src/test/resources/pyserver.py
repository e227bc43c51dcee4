# A python3 http.server peer for HttpClientTest: HTTP/1.1 keep-alive, chunked and read-until-close
# responses, an echo, a slow endpoint, and plain file serving from the current directory.
import sys, time
from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler

class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def body(self, data, status=200):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"hello, ", b"chunked ", b"world"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"until the end")
            self.close_connection = True
        elif self.path == "/port":
            self.body(str(self.client_address[1]).encode())
        elif self.path == "/slow":
            time.sleep(3)
            self.body(b"late")
        elif self.path == "/host":
            self.body(self.headers.get("Host", "").encode())
        else:
            super().do_GET()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.body(self.rfile.read(n))

server = ThreadingHTTPServer((sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1", 0), Handler)
server.daemon_threads = True
if len(sys.argv) > 3:
    # HTTPS: argv[2] is the certificate chain (PEM), argv[3] its key. A failed handshake raises in
    # accept(), which serve_forever() survives (it logs and goes on).
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[2], sys.argv[3])
    server.socket = context.wrap_socket(server.socket, server_side=True)
print("READY", server.server_address[1], flush=True)
server.serve_forever()

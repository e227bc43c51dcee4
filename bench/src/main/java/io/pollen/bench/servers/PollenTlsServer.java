package io.pollen.bench.servers;

import io.pollen.http.HttpServer;
import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;
import io.pollen.tls.TlsContexts;

import java.net.InetSocketAddress;

/**
 * Pollen's HTTPS server for {@code bench/tls.sh}: the harness's {@code GET /plaintext} route on
 * {@link HttpServer.Builder#tls} with a context of {@link TlsContexts#server} (the JDK's SSLEngine),
 * epoll backend. {@code --port P --cert FILE --key FILE [--loops N]}.
 */
public final class PollenTlsServer {
    public static void main(String[] args) throws Exception {
        TlsOptions opts = TlsOptions.parse(args);
        Runtime runtime = Runtime.builder().backend(Backend.EPOLL).loops(opts.loops()).threadNamePrefix("pollen-").build();
        HttpServer.builder()
                .bind(new InetSocketAddress("127.0.0.1", opts.port()))
                .backlog(4096)
                .serverName(PlaintextHttp.SERVER)
                .route("GET", "/plaintext", req -> PollenServer.PLAINTEXT)
                .tls(TlsContexts.server(opts.cert(), opts.key()))
                .start(runtime);
        ServerOptions.ready("pollen-tls loops=" + opts.loops());
        Thread.currentThread().join(); // stopped with SIGTERM
    }
}

package io.pollen.http.snippets;

import io.pollen.http.HttpClient;
import io.pollen.http.HttpHeaders;
import io.pollen.http.HttpResponse;
import io.pollen.http.HttpServer;
import io.pollen.http.Response;
import io.pollen.poll.Backend;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Runtime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The examples of {@code io.pollen.http}'s Javadoc ({@code {@snippet
 * class=io.pollen.http.snippets.HttpSnippetsTest region=...}}), compiled and run here on every
 * backend, so that a doc example cannot rot.
 */
@Timeout(30)
class HttpSnippetsTest {

    // @start region="response"
    static final Response HELLO = Response.text("Hello, World!");

    static HttpServer.Builder withPlaintext(HttpServer.Builder server) {
        return server.route("GET", "/plaintext", req -> HELLO); // the same instance for every request
    }
    // @end

    static HttpServer.Builder withSlow(HttpServer.Builder server) {
        // @start region="async"
        return server.routeAsync("GET", "/slow", req -> EventLoop.current().sleep(Duration.ofMillis(100))
                .thenApply(v -> Response.text("done")));
        // @end
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void serverAndClient(Backend backend) throws Exception {
        // @start region="server"
        try (Runtime rt = Runtime.builder().backend(backend).build(); // @replace regex="Runtime\.builder.*build\(\)" replacement="Runtime.create()"
             HttpServer server = HttpServer.builder()
                     .bind(new InetSocketAddress("127.0.0.1", 0))
                     .route("GET", "/plaintext", req -> Response.text("Hello, World!"))
                     .routeAsync("/delay/{ms}", req -> EventLoop.current()
                             .sleep(Duration.ofMillis(Long.parseLong(req.pathParam("ms"))))
                             .thenApply(v -> Response.text("done")))
                     .start(rt)) {
            // @start region="client"
            try (HttpClient client = HttpClient.builder(rt).connectTimeout(Duration.ofSeconds(2)).build()) {
                HttpResponse r = client.get("http://127.0.0.1:" + server.port() + "/plaintext").join(); // join: not on a loop thread
                assertEquals("200 Hello, World!", r.status() + " " + r.bodyString()); // @replace regex="assertEquals.*" replacement='System.out.println(r.status() + " " + r.bodyString()); // 200 Hello, World!'
                HttpResponse later = client.get("http://127.0.0.1:" + server.port() + "/delay/5").join();
                assertEquals("done", later.bodyString()); // @replace regex="assertEquals.*" replacement='System.out.println(later.bodyString()); // done, 5 ms later'
            }
            // @end
        }
        // @end
    }

    @ParameterizedTest
    @MethodSource("io.pollen.http.TestServers#backends")
    void sharedResponseAndAsyncRoute(Backend backend) throws Exception {
        try (Runtime rt = Runtime.builder().backend(backend).loops(1).build();
             HttpServer server = withSlow(withPlaintext(HttpServer.builder().bind(new InetSocketAddress("127.0.0.1", 0)))).start(rt);
             HttpClient client = HttpClient.create(rt)) {
            String base = "http://127.0.0.1:" + server.port();
            assertEquals("Hello, World!", client.get(base + "/plaintext").join().bodyString());
            assertEquals("Hello, World!", client.get(base + "/plaintext").join().bodyString());
            assertEquals("done", client.get(base + "/slow").join().bodyString());
        }
    }

    @Test
    void headersAreLookedUpCaseInsensitively() {
        // @start region="headers"
        HttpHeaders h = HttpHeaders.of("Content-Type", "text/plain", "X-Trace", "1");
        String type = h.first("content-type"); // "text/plain"
        // @end
        assertEquals("text/plain", type);
    }
}

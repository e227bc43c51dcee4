package io.pollen.bench.scale;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@code java.net.http.HttpClient.sendAsync}, HTTP/1.1, default executor and connection pool (no
 * per-host limit, so one connection per concurrent request), bodies read as byte arrays. This is
 * what a JDK user reaches for to fan out requests without threads of their own.
 */
final class JdkHttpClientLoad implements LoadClient {
    private HttpClient client;

    @Override
    public void prepare() {
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    @Override
    public void warmUp(InetSocketAddress server) throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri(server, WARM_UP_PATH)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("warm-up answered " + r.statusCode());
        }
    }

    private static URI uri(InetSocketAddress server, String path) {
        return URI.create("http://" + server.getHostString() + ":" + server.getPort() + path);
    }

    @Override
    public void run(InetSocketAddress server, String path, Outcome outcome) {
        HttpRequest request = HttpRequest.newBuilder(uri(server, path)).timeout(Duration.ofSeconds(60)).GET().build();
        CompletableFuture<?>[] all = new CompletableFuture<?>[outcome.requests];
        for (int i = 0; i < outcome.requests; i++) {
            long start = System.nanoTime();
            all[i] = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                    .whenComplete((r, err) -> {
                        if (err != null) {
                            outcome.failure(err);
                        } else if (r.statusCode() != 200 || r.body().length == 0) {
                            outcome.failure("status " + r.statusCode() + ", " + r.body().length + " body bytes");
                        } else {
                            outcome.success(start);
                        }
                    });
        }
        CompletableFuture.allOf(all).exceptionally(t -> null).join();
    }

    /**
     * Its pool keeps every connection of the pass alive (10,000, for 20 minutes by default), and
     * the next pass goes to another port: a new client, warmed up as the first was.
     */
    @Override
    public void afterPass(InetSocketAddress server) throws Exception {
        client.shutdownNow();
        if (!client.awaitTermination(Duration.ofSeconds(30))) {
            throw new IllegalStateException("the pass's HttpClient did not shut down within 30 s");
        }
        prepare();
        warmUp(server);
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}

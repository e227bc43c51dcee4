package io.pollen.bench.scale;

import io.pollen.http.HttpClient;
import io.pollen.http.HttpResponse;
import io.pollen.runtime.EventLoop;
import io.pollen.runtime.Runtime;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Pollen's {@link HttpClient} on a {@link Runtime} of ONE event loop (the platform's backend:
 * epoll on Linux). As in the chapter, each request is a task: one task on the loop spawns
 * {@code n} child tasks, each sends its GET and completes with the response; nothing runs off the
 * loop thread except the main thread waiting for the count to reach zero. The client opens one
 * connection per concurrent request (its pool caps only idle connections).
 */
final class PollenClientLoad implements LoadClient {
    private Runtime rt;
    private HttpClient client;
    private EventLoop loop;

    @Override
    public void prepare() {
        rt = Runtime.builder().loops(1).threadNamePrefix("scale-client").build();
        loop = rt.loops().getFirst();
        client = HttpClient.builder(loop)
                .connectTimeout(Duration.ofSeconds(30))
                .readTimeout(Duration.ofSeconds(60))
                .build();
    }

    private static URI uri(InetSocketAddress server, String path) {
        return URI.create("http://" + server.getHostString() + ":" + server.getPort() + path);
    }

    @Override
    public void warmUp(InetSocketAddress server) throws Exception {
        HttpResponse r = client.get(uri(server, WARM_UP_PATH)).get(30, TimeUnit.SECONDS);
        if (r.status() != 200) {
            throw new IllegalStateException("warm-up answered " + r.status());
        }
    }

    @Override
    public void run(InetSocketAddress server, String path, Outcome outcome) throws InterruptedException {
        URI uri = uri(server, path);
        CountDownLatch done = new CountDownLatch(outcome.requests);
        loop.execute(() -> {
            for (int i = 0; i < outcome.requests; i++) {
                long start = System.nanoTime();
                loop.spawn(() -> client.get(uri).whenComplete((r, err) -> {
                    record(outcome, start, r, err);
                    done.countDown();
                }));
            }
        });
        if (!done.await(120, TimeUnit.SECONDS)) {
            outcome.failure(done.getCount() + " requests still pending after 120 s");
        }
    }

    private static void record(Outcome outcome, long start, HttpResponse r, Throwable err) {
        if (err != null) {
            outcome.failure(err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                    ? err.getCause() : err);
        } else if (r.status() != 200 || r.bodyLength() == 0) {
            outcome.failure("status " + r.status() + ", " + r.bodyLength() + " body bytes");
        } else {
            outcome.success(start);
        }
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        if (rt != null) {
            rt.close();
        }
    }
}

package io.pollen.bench.scale;

import io.pollen.http.DemoRoutes;
import io.pollen.http.HttpServer;
import io.pollen.runtime.Runtime;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server side of the scale run, in its own JVM: Pollen's {@link HttpServer} with
 * {@link DemoRoutes} ({@code /delay/{ms}/...} answers from a timer, the loop is never blocked).
 *
 * <p>Usage: {@code DemoServerMain <host> <port> [loops] [listeners]} (port 0: free ones; loops
 * default 1; listeners default 1). It serves the same routes on {@code listeners} listening sockets,
 * one port each (with port 0; a fixed port allows one listener), so that each pass of the scale run
 * can use a port of its own. Prints {@code LISTENING <port> [<port>...]} once it accepts
 * connections, then serves until the process is terminated or its standard input ends. The listen backlog is asked for at 16,384 (the kernel
 * caps it at {@code net.core.somaxconn}) so that a burst of 10,000 connects is queued rather than
 * dropped.
 *
 * <p>It also notes when each {@code /delay} request arrives, so that the report can say how long
 * a client took to get all of its requests to the server. A line {@code ARRIVALS} on standard
 * input is answered with {@code ARRIVALS count=N first_ns=T last_ns=T} (times from
 * {@link System#nanoTime}, which is {@code CLOCK_MONOTONIC} on Linux and so comparable with the
 * client's) and starts a new count.
 */
public final class DemoServerMain {
    private DemoServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DemoServerMain <host> <port> [loops] [listeners]");
            System.exit(2);
        }
        InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        int loops = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int listeners = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Arrivals arrivals = new Arrivals();
        Runtime rt = Runtime.builder().loops(loops).threadNamePrefix("demo-server").build();
        // Routes match in the order added: this one sees every /delay request before DemoRoutes'.
        HttpServer.Builder routes = HttpServer.builder().bind(at).backlog(16_384)
                .routeAsync("GET", "/delay/{ms}/{rest...}", req -> {
                    arrivals.add(System.nanoTime());
                    return DemoRoutes.delay(req);
                });
        DemoRoutes.install(routes);
        List<HttpServer> servers = new ArrayList<>();
        StringBuilder ports = new StringBuilder("LISTENING");
        for (int i = 0; i < listeners; i++) {
            HttpServer server = routes.start(rt);   // same routes, a listener (and port) of its own
            servers.add(server);
            ports.append(' ').append(server.port());
        }
        java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            servers.forEach(HttpServer::close);
            rt.close();
        }));
        System.out.println(ports);
        System.out.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = commands.readLine()) != null; ) {
            if (line.equals("ARRIVALS")) {
                System.out.println(arrivals.takeReport());
                System.out.flush();
            }
        }
        System.exit(0);   // the run that started this server is gone
    }

    /** Count, first and last arrival time; updated by the loop threads, read and reset by main. */
    private static final class Arrivals {
        private final AtomicInteger count = new AtomicInteger();
        private final AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong last = new AtomicLong(Long.MIN_VALUE);

        void add(long now) {
            count.incrementAndGet();
            first.accumulateAndGet(now, Math::min);
            last.accumulateAndGet(now, Math::max);
        }

        /** The report line; starts a new count (requests arriving meanwhile may land in either). */
        String takeReport() {
            return "ARRIVALS count=" + count.getAndSet(0) + " first_ns=" + first.getAndSet(Long.MAX_VALUE)
                    + " last_ns=" + last.getAndSet(Long.MIN_VALUE);
        }
    }
}

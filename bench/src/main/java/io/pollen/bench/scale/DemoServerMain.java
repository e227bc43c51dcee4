package io.pollen.bench.scale;

import io.pollen.http.DemoRoutes;
import io.pollen.http.HttpServer;
import io.pollen.runtime.Runtime;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The server side of the scale run, in its own JVM: Pollen's {@link HttpServer} with
 * {@link DemoRoutes} ({@code /delay/{ms}/...} answers from a timer, the loop is never blocked).
 *
 * <p>Usage: {@code DemoServerMain <host> <port> [loops]} (port 0: a free one; loops default 1).
 * Prints {@code LISTENING <port>} once it accepts connections, then serves until the process is
 * terminated. The listen backlog is asked for at 16,384 (the kernel caps it at
 * {@code net.core.somaxconn}) so that a burst of 10,000 connects is queued rather than dropped.
 */
public final class DemoServerMain {
    private DemoServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DemoServerMain <host> <port> [loops]");
            System.exit(2);
        }
        InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        int loops = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Runtime rt = Runtime.builder().loops(loops).threadNamePrefix("demo-server").build();
        HttpServer server = DemoRoutes.install(HttpServer.builder().bind(at).backlog(16_384)).start(rt);
        java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            rt.close();
        }));
        System.out.println("LISTENING " + server.port());
        System.out.flush();
        Thread.currentThread().join();   // serve until terminated
    }
}

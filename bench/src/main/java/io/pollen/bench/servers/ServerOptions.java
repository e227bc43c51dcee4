package io.pollen.bench.servers;

import java.util.HashMap;
import java.util.Map;

/**
 * Command-line options shared by every competitor server of the comparative harness.
 *
 * <pre>--http-port P --echo-port Q [--loops N] [--transport epoll|io_uring|io_uring-ring|nio] [--backend epoll|nio] [--unix PATH]</pre>
 *
 * <p>Each server binds 127.0.0.1 only, serves {@code GET /plaintext} on the HTTP port and echoes
 * bytes on the echo port (and, with {@code --unix PATH}, also on a Unix domain socket at PATH, for the
 * servers that support it: Pollen and Netty's epoll transport), then prints {@code READY} on standard output; the harness waits for that
 * line. A server whose transport is unavailable on this machine prints {@code UNAVAILABLE <why>}
 * and exits with {@link #EXIT_UNAVAILABLE}, so the harness can report it instead of failing.
 */
public record ServerOptions(int httpPort, int echoPort, int loops, String transport, String unixPath) {

    /** Exit status of a server whose transport cannot run here (e.g. io_uring disabled). */
    public static final int EXIT_UNAVAILABLE = 3;

    public static ServerOptions parse(String[] args, String defaultTransport) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got: " + String.join(" ", args));
            }
            m.put(args[i].substring(2), args[++i]);
        }
        int http = Integer.parseInt(required(m, "http-port"));
        int echo = Integer.parseInt(required(m, "echo-port"));
        int loops = Integer.parseInt(m.getOrDefault("loops", "1"));
        if (loops < 1) throw new IllegalArgumentException("--loops must be >= 1");
        String transport = m.getOrDefault("transport", m.getOrDefault("backend", defaultTransport));
        return new ServerOptions(http, echo, loops, transport, m.get("unix"));
    }

    private static String required(Map<String, String> m, String name) {
        String v = m.get(name);
        if (v == null) throw new IllegalArgumentException("missing --" + name);
        return v;
    }

    /** Tells the harness the server accepts connections on both ports. */
    public static void ready(String what) {
        System.out.println("READY " + what);
        System.out.flush();
    }

    /** Tells the harness this transport cannot run here, then exits. */
    public static void unavailable(String why) {
        System.out.println("UNAVAILABLE " + why.replace('\n', ' '));
        System.out.flush();
        System.exit(EXIT_UNAVAILABLE);
    }
}

package io.pollen.bench.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The servers the harness compares, in report order, and how each is launched.
 *
 * <p>Every server is its own process on 127.0.0.1 with an HTTP port and an echo port. Java
 * servers share one JVM command line ({@link #JVM_FLAGS}) so that only the server code differs:
 * a fixed heap range and the Parallel collector (what JVM ergonomics would pick differently on 1
 * and 2 cpus otherwise). Netty additionally runs with leak detection disabled, its usual
 * production setting.
 */
final class ServerCatalog {

    /** Same for every Java server. */
    static final List<String> JVM_FLAGS = List.of(
            "-Xms256m", "-Xmx1g", "-XX:+UseParallelGC", "--enable-native-access=ALL-UNNAMED");

    /**
     * One competitor.
     *
     * @param name       short id used in tables, e.g. {@code netty-epoll}
     * @param mainClass  Java main class, or null for a native server
     * @param args       extra arguments after the ports (transport/backend)
     * @param jvmFlags   extra JVM flags for this server only
     * @param multiLoop  whether {@code --loops N} means N event loops / threads
     * @param description one line for the report
     * @param classpath  the class path to run it with, or null for the harness's own (an A/B run
     *                   gives a baseline build its own, see {@link #baseline})
     * @param binary     a native server's program in the harness's native folder, else null
     * @param echoOnly   serves the echo port only: the HTTP scenarios skip it
     */
    record Spec(String name, String mainClass, List<String> args, List<String> jvmFlags, boolean multiLoop,
                String description, String classpath, String binary, boolean echoOnly) {

        Spec(String name, String mainClass, List<String> args, List<String> jvmFlags, boolean multiLoop,
             String description) {
            this(name, mainClass, args, jvmFlags, multiLoop, description, null, null, false);
        }

        /** A C server, {@code binary} in the native folder (compiled by bench/run.sh). */
        static Spec nativeServer(String name, String binary, boolean multiLoop, boolean echoOnly, String description) {
            return new Spec(name, null, List.of(), List.of(), multiLoop, description, null, binary, echoOnly);
        }

        boolean isNative() {
            return mainClass == null;
        }

        /** True for Pollen's own entries, drawn in a distinct colour. */
        boolean isPollen() {
            return name.startsWith("pollen");
        }

        /**
         * The command that starts this server with N loops, or null when a Java main class is not on
         * the class path (Pollen before its HTTP server exists).
         */
        List<String> command(Path java, String classpath, Path nativeDir, int httpPort, int echoPort, int loops) {
            List<String> cmd = new ArrayList<>();
            if (isNative()) {
                cmd.add(nativeDir.resolve(binary).toString());
            } else {
                cmd.add(java.toString());
                cmd.addAll(JVM_FLAGS);
                cmd.addAll(jvmFlags);
                if (name.equals("vthreads")) {
                    // The virtual-thread scheduler's parallelism is its "number of loops".
                    cmd.add("-Djdk.virtualThreadScheduler.parallelism=" + loops);
                }
                cmd.addAll(List.of("-cp", this.classpath != null ? this.classpath : classpath, mainClass));
            }
            cmd.addAll(List.of("--http-port", Integer.toString(httpPort), "--echo-port", Integer.toString(echoPort),
                    "--loops", Integer.toString(loops)));
            cmd.addAll(args);
            return cmd;
        }

        /** Null when the server can be launched; otherwise why not. */
        String missingReason() {
            if (isNative()) return null;
            try {
                Class.forName(mainClass, false, ServerCatalog.class.getClassLoader());
                return null;
            } catch (ClassNotFoundException | LinkageError e) {
                return mainClass + " is not built (" + e + ")";
            }
        }
    }

    private static final String SERVERS = "io.pollen.bench.servers.";
    private static final List<String> NETTY_FLAGS = List.of("-Dio.netty.leakDetection.level=disabled");

    private ServerCatalog() {}

    /**
     * {@code spec} run from another build's class path, named {@code spec@label}: with the same
     * harness, the same load and interleaved rounds, an A/B of two commits is one run
     * ({@code bench/ab.sh}).
     */
    static Spec baseline(Spec spec, String label, String classpath) {
        return new Spec(spec.name() + "@" + label, spec.mainClass(), spec.args(), spec.jvmFlags(), spec.multiLoop(),
                spec.description() + ", built from " + label, classpath, spec.binary(), spec.echoOnly());
    }

    static List<Spec> all() {
        return List.of(
                new Spec("pollen-epoll", SERVERS + "PollenServer", List.of("--backend", "epoll"), List.of(), true,
                        "Pollen HttpServer + Pollen echo on the runtime, epoll backend (FFM)"),
                new Spec("pollen-nio", SERVERS + "PollenServer", List.of("--backend", "nio"), List.of(), true,
                        "Pollen HttpServer + Pollen echo on the runtime, java.nio backend"),
                new Spec("pollen-io_uring", SERVERS + "PollenServer", List.of("--backend", "io_uring"), List.of(), true,
                        "Pollen HttpServer + Pollen echo on the runtime, io_uring backend (completion I/O for TCP: multishot accept and recv, sends)"),
                new Spec("netty-epoll", SERVERS + "NettyServer", List.of("--transport", "epoll"), NETTY_FLAGS, true,
                        "Netty 4.2.18 HttpServerCodec, native epoll transport"),
                new Spec("netty-io_uring", SERVERS + "NettyServer", List.of("--transport", "io_uring"), NETTY_FLAGS, true,
                        "Netty 4.2.18 HttpServerCodec, native io_uring transport"),
                new Spec("netty-nio", SERVERS + "NettyServer", List.of("--transport", "nio"), NETTY_FLAGS, true,
                        "Netty 4.2.18 HttpServerCodec, NIO transport"),
                new Spec("java-nio", SERVERS + "NioServer", List.of(), List.of(), true,
                        "hand-written java.nio Selector loop"),
                new Spec("vthreads", SERVERS + "VirtualThreadServer", List.of(), List.of(), true,
                        "virtual thread per connection, blocking java.net.ServerSocket"),
                Spec.nativeServer("c-epoll", "epoll_http", true, false,
                        "C, gcc -O2, one epoll loop per thread (physical-limit reference)"),
                Spec.nativeServer("c-io_uring", "uring_echo", false, true,
                        "C, gcc -O2, echo only: one io_uring loop with multishot recv into a buffer ring, "
                                + "each buffer sent back as it is (the io_uring floor, bench/native/uring_echo.c)"));
    }
}

package io.pollen.tls;

import io.pollen.runtime.EventLoop;

import javax.net.ssl.SSLEngine;

/**
 * Runs an {@link SSLEngine}'s delegated tasks (the handshake's certificate checks and signatures,
 * which may take milliseconds) on a virtual thread, never on the loop, then resumes the connection
 * on its loop. The engine is not touched by the connection meanwhile.
 */
final class DelegatedTasks {
    private DelegatedTasks() {
    }

    /** Runs every task {@code engine} has, then {@code done} on {@code loop} (unless it closed). */
    static void start(SSLEngine engine, EventLoop loop, Runnable done) {
        Thread.ofVirtual().name("pollen-tls-task").start(() -> {
            try {
                Runnable t;
                while ((t = engine.getDelegatedTask()) != null) {
                    t.run();
                }
            } catch (Throwable ignored) {
                // The engine keeps the failure and reports it from the next wrap or unwrap.
            }
            try {
                loop.execute(done);
            } catch (RuntimeException loopClosed) {
                // the loop closed its sockets; nothing to resume
            }
        });
    }
}

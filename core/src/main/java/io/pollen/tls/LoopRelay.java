package io.pollen.tls;

import io.pollen.runtime.EventLoop;

import javax.net.ssl.SSLEngine;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * How {@link TlsStream}'s operations, callable from any thread, run on the stream's loop; and the
 * shape its failures take for the caller. (The runtime's own relay is internal to its package.)
 */
final class LoopRelay {
    private LoopRelay() {
    }

    /**
     * The engine's handshake failure without its "(alert_name) " prefix: its message then reads
     * as the cause, e.g. "unknown CA: ..." (the original stays the cause).
     */
    static Throwable readable(Throwable e) {
        String m = e.getMessage();
        if (e instanceof javax.net.ssl.SSLHandshakeException && m != null && m.startsWith("(") && m.indexOf(") ") > 0) {
            javax.net.ssl.SSLHandshakeException clean = new javax.net.ssl.SSLHandshakeException(m.substring(m.indexOf(") ") + 2));
            clean.initCause(e);
            return clean;
        }
        return e;
    }

    /** The alerts a server sends about a client's certificate (RFC 8446 section 6.2). */
    private static final java.util.Set<String> CERTIFICATE_ALERTS = java.util.Set.of("bad_certificate",
            "certificate_unknown", "unknown_ca", "certificate_expired", "certificate_revoked", "unsupported_certificate",
            "access_denied");

    /**
     * {@link #readable(Throwable)}, and on a client, a fatal alert about its certificate (mutual
     * TLS) as what it means, told apart by whether the server asked for a certificate and one was
     * sent ({@link ClientKeyManager}): "the server requires a client certificate (none was sent: ...)"
     * or "client certificate not trusted by the server (alert: unknown_ca)".
     */
    static Throwable readable(Throwable e, SSLEngine engine) {
        Throwable r = readable(e);
        String m = r.getMessage();
        int at = m == null || !engine.getUseClientMode() ? -1 : m.indexOf("Received fatal alert: ");
        if (!(r instanceof javax.net.ssl.SSLException) || at < 0) {
            return r;
        }
        String alert = m.substring(at + "Received fatal alert: ".length()).strip();
        Boolean sent = ClientKeyManager.certificateSent(engine); // null: not asked for, or another context's
        boolean certificateAlert = CERTIFICATE_ALERTS.contains(alert);
        boolean refused = certificateAlert || alert.equals("handshake_failure");
        String text = null;
        if (alert.equals("certificate_required") || Boolean.FALSE.equals(sent) && refused) {
            text = "the server requires a client certificate (none was sent: the client has none, or none issued by "
                    + "a CA the server accepts; alert: " + alert + ")";
        } else if (Boolean.TRUE.equals(sent) && refused) {
            text = "client certificate not trusted by the server (alert: " + alert + ")";
        } else if (sent == null && certificateAlert) {
            text = "the server refused the client certificate, or requires one (alert: " + alert + ")";
        }
        if (text == null) {
            return r;
        }
        javax.net.ssl.SSLHandshakeException clear = new javax.net.ssl.SSLHandshakeException(text);
        clear.initCause(e);
        return clear;
    }

    /** Runs {@code op} on {@code loop}, relaying its outcome when called from another thread. */
    static <T> CompletableFuture<T> onLoop(EventLoop loop, Supplier<CompletableFuture<T>> op) {
        if (loop.inLoop()) {
            return op.get();
        }
        CompletableFuture<T> relay = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                CompletableFuture<T> inner;
                try {
                    inner = op.get();
                } catch (RuntimeException e) {
                    relay.completeExceptionally(e);
                    return;
                }
                inner.whenComplete((v, e) -> {
                    if (e != null) {
                        relay.completeExceptionally(unwrap(e));
                    } else {
                        relay.complete(v);
                    }
                });
            });
        } catch (RuntimeException loopClosed) {
            relay.completeExceptionally(new ClosedChannelException());
        }
        return relay;
    }

    /** The cause of a {@link CompletionException}, else {@code e}. */
    static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** "host:port" of the engine's peer for messages, "the peer" when unknown. */
    static String peer(SSLEngine e) {
        return e.getPeerHost() == null ? "the peer" : e.getPeerHost() + (e.getPeerPort() > 0 ? ":" + e.getPeerPort() : "");
    }

    /** Completes {@code f} with {@code v}, or with {@code e} when it is not null. */
    static void settle(CompletableFuture<Object> f, Object v, Throwable e) {
        if (e != null) {
            f.completeExceptionally(e);
        } else {
            f.complete(v);
        }
    }
}

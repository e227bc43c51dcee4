package io.pollen.http;

import io.pollen.runtime.LastResort;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * Runs the handler of a server connection's current request: routes it, calls a sync handler or
 * starts an async one, answers a stage that is already complete inline, and, while it runs, watches
 * for the client's hang-up ({@link #readAhead}), which cancels the stage. One per connection, on
 * its loop's thread.
 */
final class HandlerDispatch {
    private static final System.Logger LOG = System.getLogger("io.pollen.http");

    private final ServerConnection conn;
    private final ServerLoop owner;
    /** The router's result for the current request (reused: routing allocates nothing). */
    private final RouteMatch match = new RouteMatch();
    /** The running async handler's stage, if it can be cancelled; cancelled when the connection closes. */
    private Future<?> pending;
    /** Inside {@code whenComplete}'s registration: a completion now is an already-complete stage. */
    private boolean inDispatch;
    private boolean syncDone;
    private Response syncResult;
    private Throwable syncFailure;

    HandlerDispatch(ServerConnection conn, ServerLoop owner) {
        this.conn = conn;
        this.owner = owner;
    }

    /**
     * Routes {@code request} and runs its handler. A response known now is passed to
     * {@link ServerConnection#respond}; an async one later, through {@link #resume}.
     */
    void dispatch(HttpRequest request, byte[] store, int pathStart, int pathEnd, HttpServer.Config config) {
        Router.Route route = owner.router().match(request, store, pathStart, pathEnd, match);
        Handler sync;
        AsyncHandler async;
        if (route != null) {
            request.pathParams(route.params(), match.bounds);
            sync = route.sync();
            async = route.async();
        } else if (match.allowed != null) {
            conn.respond(ResponseEncoder.error(405, null).header("Allow", String.join(", ", match.allowed)));
            return;
        } else {
            sync = config.fallback();
            async = config.fallbackAsync();
        }
        if (sync != null) {
            Response r;
            try {
                r = sync.handle(request);
            } catch (Throwable t) {
                r = failed(t);
            }
            conn.respond(r == null ? failed(new NullPointerException("handler returned null")) : r);
            return;
        }
        CompletionStage<Response> stage;
        try {
            stage = async.handle(request);
        } catch (Throwable t) {
            conn.respond(failed(t));
            return;
        }
        if (stage == null) {
            conn.respond(failed(new NullPointerException("handler returned null")));
            return;
        }
        // A stage that is already complete calls back inside whenComplete: catch that case and
        // answer inline instead of re-entering the state machine.
        inDispatch = true;
        syncDone = false;
        stage.whenComplete((r, e) -> {
            if (inDispatch) {
                syncDone = true;
                syncResult = r;
                syncFailure = e;
            } else if (owner.loop().inLoop()) {
                resume(r, e);
            } else {
                owner.loop().execute(() -> resume(r, e));
            }
        });
        inDispatch = false;
        if (!syncDone && stage instanceof Future<?> f) {
            pending = f;
        }
        if (syncDone) {
            Response r = syncResult;
            Throwable e = syncFailure;
            syncResult = null;
            syncFailure = null;
            conn.respond(e != null || r == null ? failed(e) : r);
        }
    }

    /** An async handler finished: answer, then continue with pipelined input. */
    private void resume(Response r, Throwable e) {
        try {
            if (conn.phase != ConnectionPhase.HANDLING) {
                return; // closed meanwhile
            }
            pending = null;
            conn.now = System.nanoTime();
            conn.respond(e != null || r == null ? failed(e) : r);
            conn.onReadable();
        } catch (Throwable t) {
            conn.end.abort(t);
        }
    }

    /**
     * An async handler runs: reads what the socket holds into the input buffer, unparsed, so that
     * the end of the stream is seen now. A full buffer stops the reading (and the watching) until
     * the handler ends.
     */
    void readAhead() throws IOException {
        conn.takeInput();
        conn.in.compact();
        int n = 0;
        while (conn.in.hasRemaining() && (n = conn.io.read(conn.in)) > 0) {
            // keep reading until would-block, the end of the stream, or a full buffer
        }
        conn.knownDrained = n == 0 && conn.in.hasRemaining();
        conn.in.flip();
        if (n < 0) {
            conn.close(); // end of stream: the client hung up (see ServerConnection's comment)
            return;
        }
        conn.releaseInputIfDrained();
    }

    /** The connection closes: cancels the running handler's stage, if any. */
    void cancel() {
        Future<?> p = pending;
        if (p != null) {
            pending = null;
            try {
                p.cancel(true); // dependents run here; resume() then finds the connection closed
            } catch (Throwable ignored) {
                // a foreign stage's cancel failed: the connection closes all the same
            }
        }
    }

    /**
     * A handler threw or its stage failed: 500. After an {@link Error} (out of memory, stack
     * overflow, ...) nothing about this connection is trusted any more: the 500 closes it.
     */
    Response failed(Throwable t) {
        Throwable cause = t;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause(); // a stage that failed in a later step wraps what it threw
        }
        if (cause != null && !(cause instanceof Exception)) {
            conn.fatal = true;
        }
        LastResort.warn(LOG, "handler failed", t);
        return ResponseEncoder.error(500, null);
    }
}

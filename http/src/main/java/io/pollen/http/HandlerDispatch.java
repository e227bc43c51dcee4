package io.pollen.http;

import io.pollen.runtime.LastResort;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * Runs the handler of a server connection's current request: routes it, calls a sync handler or
 * starts an async one, answers a stage that is already complete inline, and keeps the running
 * stage so that a client's hang-up cancels it. One per connection, on its loop's thread.
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
     * {@link ServerConnection#respond}; an async one later to {@link ServerConnection#resume}.
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
                conn.resume(r, e);
            } else {
                owner.loop().execute(() -> conn.resume(r, e));
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

    /** The async handler ended: its stage is no longer cancelled by a close. */
    void ended() {
        pending = null;
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
            conn.fatal();
        }
        LastResort.warn(LOG, "handler failed", t);
        return ResponseEncoder.error(500, null);
    }
}

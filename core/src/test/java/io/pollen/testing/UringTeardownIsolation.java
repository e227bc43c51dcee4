package io.pollen.testing;

import io.pollen.poll.Backend;
import io.pollen.sys.linux.EPoll;
import io.pollen.sys.unix.Unistd;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;

/**
 * Keeps one test's io_uring teardown out of the next test's timed waits.
 *
 * <p>When a ring is closed, the kernel tears it down in a work queue and, some milliseconds later,
 * queues a task-work callback on every thread that submitted to it, announced like a signal: the
 * blocking call that thread is in then returns {@code EINTR} once (see {@code Ring.close}). Tests
 * run on one thread, so a test on io_uring would hand that interruption to whatever the next test
 * waits on (seen: an epoll test's 50 ms wait returning after 15 ms). After every test that ran on
 * io_uring (a {@link Backend#IO_URING} argument, or a test class of {@code io.pollen.poll.uring}),
 * this waits on an empty epoll until 60 ms pass without an interruption (at most 3 s).
 *
 * <p>Registered for every test class through {@code META-INF/services} and
 * {@code junit.jupiter.extensions.autodetection.enabled} ({@code junit-platform.properties}).
 */
public final class UringTeardownIsolation implements InvocationInterceptor {
    private static final int QUIET_MS = 60;
    private static final long LIMIT_NANOS = 3_000_000_000L;

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                            ExtensionContext context) throws Throwable {
        try {
            invocation.proceed();
        } finally {
            if (call.getArguments().contains(Backend.IO_URING)) {
                absorb();
            }
        }
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                    ExtensionContext context) throws Throwable {
        try {
            invocation.proceed();
        } finally {
            if (call.getExecutable().getDeclaringClass().getPackageName().equals("io.pollen.poll.uring")) {
                absorb();
            }
        }
    }

    /** Waits until {@link #QUIET_MS} pass with no interruption of this thread's blocking calls. */
    static void absorb() {
        if (!Backend.IO_URING.isAvailable()) {
            return;
        }
        int ep = -1;
        try (Arena arena = Arena.ofConfined()) {
            ep = EPoll.create1(EPoll.EPOLL_CLOEXEC);
            MemorySegment ev = arena.allocate(EPoll.EVENT_SIZE, 8);
            long end = System.nanoTime() + LIMIT_NANOS;
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                EPoll.wait(ep, ev, 1, QUIET_MS);   // an empty epoll: only EINTR ends it early
                if (System.nanoTime() - t0 >= QUIET_MS * 1_000_000L) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (ep >= 0) {
                try {
                    Unistd.close(ep);
                } catch (IOException ignored) {
                    // a private epoll fd; the leak check would name it
                }
            }
        }
    }
}

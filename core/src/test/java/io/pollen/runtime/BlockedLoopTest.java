package io.pollen.runtime;

import io.pollen.net.UdpSocket;
import io.pollen.poll.Backend;
import io.pollen.poll.Interest;
import io.pollen.testing.Loopback;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A loop that says when it is blocked, counts what it does, and records it for JFR. */
@Timeout(60)
class BlockedLoopTest {
    /** A task that holds its loop: sleeps on the loop thread, the mistake the watchdog finds. */
    private static CompletableFuture<String> holdTheLoop(long millis) {
        Loopback.sleep(millis);
        return CompletableFuture.completedFuture("held");
    }

    private static Runtime runtime(Backend backend, Duration threshold, List<Throwable> errors) {
        return Runtime.builder().backend(backend).blockedThreshold(threshold)
                .errorHandler((loop, t) -> errors.add(t)).build();
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aBlockedTaskIsReportedOnceWithTheLoopsStack(Backend backend) throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Runtime rt = runtime(backend, Duration.ofMillis(50), errors)) {
            assertEquals("held", rt.blockOn(() -> holdTheLoop(400)));
            List<LoopBlockedException> reports = errors.stream().filter(LoopBlockedException.class::isInstance)
                    .map(LoopBlockedException.class::cast).toList();
            assertEquals(1, reports.size(), "one stretch, one report: " + errors);
            LoopBlockedException r = reports.getFirst();
            assertEquals(rt.loops().getFirst().name(), r.loop());
            assertTrue(r.blockedNanos() >= Duration.ofMillis(50).toNanos());
            assertTrue(Arrays.stream(r.getStackTrace()).anyMatch(f -> f.getMethodName().equals("holdTheLoop")),
                    "the stack is the loop thread's, where it is stuck: " + Arrays.toString(r.getStackTrace()));
            assertTrue(r.getMessage().contains(BlockedLoopTest.class.getName()),
                    "the message names what was running: " + r.getMessage());
            assertEquals(1, rt.loops().getFirst().stats().blockedReports());
        }
    }

    /** A readiness handler that holds its loop. */
    private static void holdInAHandler(long millis) {
        Loopback.sleep(millis);
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aHandlerThatBlocksAfterTheLoopWaitedIsReported(Backend backend) throws Exception {
        // The loop parks in its driver (nothing to do), a datagram wakes it, and the handler the
        // driver then calls sleeps: the watchdog must see the loop busy from the wake-up on.
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Runtime rt = runtime(backend, Duration.ofMillis(50), errors)) {
            EventLoop loop = rt.loops().getFirst();
            UdpSocket tx = UdpSocket.bind(Loopback.any(), backend);
            UdpSocket rx = UdpSocket.bind(Loopback.any(), backend);
            CompletableFuture<Void> registered = new CompletableFuture<>();
            CompletableFuture<Void> handled = new CompletableFuture<>();
            Registration[] reg = new Registration[1];
            loop.execute(() -> {
                reg[0] = loop.register(rx, Interest.READABLE, flags -> {
                    holdInAHandler(400);
                    handled.complete(null);
                });
                registered.complete(null);
            });
            registered.get(10, TimeUnit.SECONDS);
            Loopback.sleep(100);   // parked
            tx.sendTo(Loopback.ascii("x"), rx.localAddress());
            handled.get(10, TimeUnit.SECONDS);
            tx.close();
            CompletableFuture<Void> closed = new CompletableFuture<>();
            loop.execute(() -> {
                reg[0].cancel();
                try {
                    rx.close();
                    closed.complete(null);
                } catch (IOException e) {
                    closed.completeExceptionally(e);
                }
            });
            closed.get(10, TimeUnit.SECONDS);
            List<LoopBlockedException> reports = errors.stream().filter(LoopBlockedException.class::isInstance)
                    .map(LoopBlockedException.class::cast).toList();
            assertEquals(1, reports.size(), "the handler's stretch, one report: " + errors);
            assertTrue(Arrays.stream(reports.getFirst().getStackTrace()).anyMatch(f -> f.getMethodName().equals("holdInAHandler")),
                    "the stack is the handler's: " + Arrays.toString(reports.getFirst().getStackTrace()));
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aLoopWaitingForIoOrTimersIsNotBlocked(Backend backend) throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Runtime rt = runtime(backend, Duration.ofMillis(20), errors)) {
            rt.blockOn(() -> rt.next().sleep(Duration.ofMillis(300)));
            Loopback.sleep(100); // idle, parked in the driver
            assertTrue(errors.isEmpty(), "waiting is not being blocked: " + errors);
            assertEquals(0, rt.loops().getFirst().stats().blockedReports());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void aThresholdOfZeroTurnsTheWatchdogOff(Backend backend) throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Runtime rt = runtime(backend, Duration.ZERO, errors)) {
            rt.blockOn(() -> holdTheLoop(150));
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void statisticsCountWhatTheLoopDid(Backend backend) throws Exception {
        try (EventLoop loop = EventLoop.open(backend);
             UdpSocket rx = UdpSocket.bind(Loopback.any(), backend);
             UdpSocket tx = UdpSocket.bind(Loopback.any(), backend)) {
            AtomicInteger ran = new AtomicInteger(), fired = new AtomicInteger(), readable = new AtomicInteger();
            for (int i = 0; i < 10; i++) {
                loop.execute(ran::incrementAndGet);
            }
            for (int i = 0; i < 3; i++) {
                loop.schedule(Duration.ofMillis(1), fired::incrementAndGet);
            }
            loop.register(rx, Interest.READABLE, flags -> readable.incrementAndGet());
            tx.sendTo(Loopback.ascii("x"), rx.localAddress());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((ran.get() < 10 || fired.get() < 3 || readable.get() < 1) && System.nanoTime() < deadline) {
                loop.runOnce(Duration.ofMillis(50));
            }
            rx.receiveFrom(ByteBuffer.allocate(8));
            LoopStats s = loop.stats();
            assertTrue(s.tasksRun() >= 10, s.toString()); // plus the timers' hand-overs, if any
            assertEquals(3, s.timersFired(), s.toString());
            assertTrue(s.events() >= 1, s.toString());
            assertTrue(s.polls() >= 1 && s.iterations() >= s.polls() - 1, s.toString());
            assertEquals(0, s.queueDepth(), s.toString());
            assertTrue(s.toString().startsWith(loop.name() + ": iterations="), s.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("io.pollen.testing.TestBackends#all")
    void slowIterationsAndBlockedLoopsAreRecordedAsJfrEvents(Backend backend) throws Exception {
        Path file = Files.createTempFile("pollen-loop", ".jfr");
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Recording recording = new Recording()) {
            recording.enable("io.pollen.LoopIteration");
            recording.enable("io.pollen.LoopBlocked");
            recording.start();
            String name;
            try (Runtime rt = runtime(backend, Duration.ofMillis(50), errors)) {
                name = rt.loops().getFirst().name();
                rt.blockOn(() -> holdTheLoop(300));
                rt.blockOn(() -> rt.next().yieldNow()); // the slow iteration ends and is committed
            }
            recording.stop();
            recording.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            List<RecordedEvent> blocked = events.stream()
                    .filter(e -> e.getEventType().getName().equals("io.pollen.LoopBlocked")).toList();
            List<RecordedEvent> slow = events.stream()
                    .filter(e -> e.getEventType().getName().equals("io.pollen.LoopIteration")).toList();
            assertEquals(1, blocked.size(), "one blocked report: " + blocked + " errors: " + errors + " all: "
                    + events.stream().map(e -> e.getEventType().getName()).filter(n -> n.startsWith("io.pollen")).toList());
            assertEquals(name, blocked.getFirst().getString("loop"));
            assertTrue(blocked.getFirst().getString("stack").contains("holdTheLoop"));
            assertTrue(slow.stream().anyMatch(e -> e.getString("loop").equals(name)
                    && e.getDuration("busy").toMillis() >= 300), "the slow iteration: " + slow);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

package io.pollen.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Samples the server process once a second: resident memory, open file descriptors and threads,
 * tagged with the phase that was running. The soak report and its chart are drawn from these.
 */
final class SoakSampler implements AutoCloseable {

    /** One reading; {@code rssKib} and {@code fds} are -1 once the process is gone. */
    record Sample(double seconds, String phase, long rssKib, int fds, int threads) {}

    private final long pid;
    private final long startNanos = System.nanoTime();
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile String phase = "start";
    private volatile boolean running = true;

    SoakSampler(long pid) {
        this.pid = pid;
        this.thread = Thread.ofPlatform().daemon().name("soak-sampler").start(this::loop);
    }

    /** Tags the following samples with {@code name}. */
    void phase(String name) {
        phase = name;
    }

    /** Takes a reading now (also added to the series). */
    Sample sample() {
        Sample s = new Sample((System.nanoTime() - startNanos) / 1e9, phase, ProcStat.rssKib(pid), fds(pid), threads(pid));
        samples.add(s);
        return s;
    }

    List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Open descriptors of a process: the entries of /proc/PID/fd, or -1 if it is gone. */
    static int fds(long pid) {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static int threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring(8).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
    }
}

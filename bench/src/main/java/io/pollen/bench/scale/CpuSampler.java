package io.pollen.bench.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How idle the whole machine was during a pass: a daemon thread reads the {@code cpu} line of
 * {@code /proc/stat} (all cores, every process, and the kernel's interrupt work, which a kernel
 * with IRQ time accounting bills to no process) every 20 ms. The report uses it to show whether
 * the cores had time to spare while a client was getting its requests to the server.
 * {@link #idleBetween} is NaN where {@code /proc/stat} cannot be read.
 */
final class CpuSampler implements AutoCloseable {
    private static final Path STAT = Path.of("/proc/stat");
    private static final long PERIOD_MS = 20;

    /** One reading: when, idle ticks (idle + iowait), all ticks. */
    private record Sample(long nanos, long idle, long total) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private CpuSampler() {
        thread = Thread.ofPlatform().daemon().name("cpu-sampler").start(this::sample);
    }

    static CpuSampler start() {
        return new CpuSampler();
    }

    private void sample() {
        while (running) {
            Sample s = read();
            if (s == null) {
                return;
            }
            synchronized (samples) {
                samples.add(s);
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static Sample read() {
        try {
            String line = Files.readAllLines(STAT).getFirst();
            String[] f = line.trim().split("\\s+"); // cpu user nice system idle iowait irq softirq steal ...
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            return new Sample(System.nanoTime(), Long.parseLong(f[4]) + Long.parseLong(f[5]), total);
        } catch (IOException | RuntimeException e) {
            return null; // not Linux
        }
    }

    /**
     * The share of all cores' time that was idle from {@code fromNanos} to {@code toNanos}
     * ({@link System#nanoTime}), between the nearest samples around them; NaN if the window
     * holds fewer than two samples' worth of ticks.
     */
    double idleBetween(long fromNanos, long toNanos) {
        Sample a = null, b = null;
        synchronized (samples) {
            for (Sample s : samples) {
                if (a == null || s.nanos <= fromNanos) {
                    a = s; // the last sample at or before the start (else the first)
                }
                if (b == null && s.nanos >= toNanos) { // the first at or after the end (else the last)
                    b = s;
                }
            }
            if (b == null && !samples.isEmpty()) {
                b = samples.getLast();
            }
        }
        if (a == null || b == null || b.total <= a.total) {
            return Double.NaN;
        }
        return (double) (b.idle - a.idle) / (b.total - a.total);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

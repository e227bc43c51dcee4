package io.pollen.bench.scale;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The scale run's machine-wide idle share, read from /proc/stat. */
class CpuSamplerTest {
    @Test
    void aCoreKeptBusyIsNotCountedIdle() throws Exception {
        int cores = java.lang.Runtime.getRuntime().availableProcessors();
        try (CpuSampler cpu = CpuSampler.start()) {
            Thread.sleep(100);
            long from = System.nanoTime();
            long spinUntil = from + 400_000_000L;
            long x = 0;
            while (System.nanoTime() < spinUntil) {
                x += x * 31 + 7; // one core busy for 0.4 s
            }
            long to = System.nanoTime();
            Thread.sleep(60); // a sample after the window
            double idle = cpu.idleBetween(from, to);
            assertTrue(idle >= 0 && idle <= 1, "a share: " + idle + " (" + x + ")");
            // At most the other cores were idle; 10 ms ticks over 0.4 s leave a little slack.
            assertTrue(idle <= (cores - 1.0) / cores + 0.1, "idle " + idle + " with one of " + cores + " cores busy");
        }
    }

    @Test
    void aWindowWithoutSamplesIsNotANumber() {
        try (CpuSampler cpu = CpuSampler.start()) {
            long before = System.nanoTime() - 1_000_000_000L;
            assertTrue(Double.isNaN(cpu.idleBetween(before - 1, before)), "a window before the first sample");
        }
    }
}

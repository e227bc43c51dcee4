package io.pollen.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress bar, the summary and the /proc parsing: pure formatting, no I/O. */
class FormattingTest {
    @Test
    void barFillsInProportionAndKeepsItsWidth() {
        String empty = Progress.bar(0, 1000, Duration.ofMillis(5));
        String half = Progress.bar(500, 1000, Duration.ofMillis(500));
        String full = Progress.bar(1000, 1000, Duration.ofMillis(1040));
        assertEquals("[" + ".".repeat(30) + "]    0/1000   0%  5 ms", empty);
        assertEquals("[" + "#".repeat(15) + ".".repeat(15) + "]  500/1000  50%  500 ms", half);
        assertEquals("[" + "#".repeat(30) + "] 1000/1000 100%  1.04 s", full);
        assertEquals(empty.indexOf(']'), full.indexOf(']'));
    }

    @Test
    void barClampsOutOfRangeCounts() {
        assertTrue(Progress.bar(7, 5, Duration.ZERO).startsWith("[" + "#".repeat(30) + "]"));
        assertEquals(100, Progress.percent(7, 5));
        assertEquals(0, Progress.percent(-1, 5));
        assertEquals(100, Progress.percent(0, 0));
    }

    @Test
    void linesModePrintsFinalStateOnceAndBarModeRedraws() {
        AtomicLong done = new AtomicLong();
        StringWriter buf = new StringWriter();
        PrintWriter out = new PrintWriter(buf, true);
        Progress lines = new Progress(out, Progress.Mode.LINES, 10, done::get);
        done.set(3);
        lines.update(); // inside the interval: prints nothing yet
        done.set(10);
        lines.finish();
        assertEquals(List.of("progress: 10/10 tasks done (100%) after 0 ms"),
                buf.toString().lines().map(s -> s.replaceAll("after \\d+ ms", "after 0 ms")).toList());

        buf.getBuffer().setLength(0);
        Progress bar = new Progress(out, Progress.Mode.BAR, 10, done::get);
        bar.update();
        bar.finish();
        String s = buf.toString();
        assertTrue(s.startsWith("\r["), s);
        assertEquals(2, s.chars().filter(c -> c == '\r').count(), s);
        assertTrue(s.endsWith(System.lineSeparator()), s);

        buf.getBuffer().setLength(0);
        Progress off = new Progress(out, Progress.Mode.OFF, 10, done::get);
        off.update();
        off.finish();
        assertEquals("", buf.toString());
    }

    @Test
    void progressModesParseAndRejectNonsense() {
        assertEquals(Progress.Mode.BAR, Progress.Mode.parse("BAR"));
        assertEquals(Progress.Mode.OFF, Progress.Mode.parse("none"));
        assertFalse(Progress.Mode.parse("auto") == Progress.Mode.OFF);
        assertThrows(IllegalArgumentException.class, () -> Progress.Mode.parse("sparkles"));
    }

    @Test
    void summaryNamesEveryFigure() {
        Summary s = new Summary(1000, 1000, null, Duration.ofMillis(1250), Duration.ofMillis(1000),
                "async", "epoll", 1, 0, 17, new ProcessStats.Memory(117_964_800L, "VmHWM, peak resident set"));
        List<String> lines = s.format().lines().toList();
        assertEquals("summary:", lines.get(0));
        assertEquals("  requests     1000 (async tasks, epoll backend)", lines.get(1));
        assertEquals("  successes    1000/1000", lines.get(2));
        assertEquals("  wall time    1.25 s", lines.get(3));
        assertEquals("  one by one   1000 x 1000 ms = 16 min 40 s  (800x the wall time)", lines.get(4));
        assertEquals("  threads      1 event-loop thread ran the tasks (17 threads in the JVM, GC and JIT included)",
                lines.get(5));
        assertEquals("  peak memory  112.5 MiB (VmHWM, peak resident set)", lines.get(6));
    }

    @Test
    void summaryReportsFailuresCarriersAndOmitsUnknownDelay() {
        Summary s = new Summary(10, 7, "connect failed: ECONNREFUSED", Duration.ofMillis(30), Duration.ZERO,
                "virtual", "nio", 1, 2, 20, new ProcessStats.Memory(4096, "peak heap"));
        String text = s.format();
        assertTrue(text.contains("successes    7/10  (first failure: connect failed: ECONNREFUSED)"), text);
        assertTrue(text.contains("1 event-loop thread + 2 virtual-thread carriers ran the tasks"), text);
        assertFalse(text.contains("one by one"), text);
        assertTrue(text.contains("4.0 KiB (peak heap)"), text);
    }

    @Test
    void durationsAndBytesReadNaturally() {
        assertEquals("999 ms", Summary.duration(Duration.ofMillis(999)));
        assertEquals("1.00 s", Summary.duration(Duration.ofSeconds(1)));
        assertEquals("1 min 0 s", Summary.duration(Duration.ofSeconds(60)));
        assertEquals("2 h 5 min", Summary.duration(Duration.ofMinutes(125)));
        assertEquals("1023 B", Summary.bytes(1023));
        assertEquals("1.0 MiB", Summary.bytes(1 << 20));
    }

    @Test
    void procStatusParsing() {
        List<String> status = List.of("Name:\tjava", "VmHWM:\t  123456 kB", "Threads:\t17", "Bad:\tx");
        assertEquals(123456L, ProcessStats.statusKiB(status, "VmHWM"));
        assertEquals(17L, ProcessStats.statusValue(status, "Threads"));
        assertNull(ProcessStats.statusValue(status, "VmRSS"));
        assertNull(ProcessStats.statusValue(status, "Bad"));
        assertTrue(ProcessStats.peakMemory().bytes() > 0);
        assertTrue(ProcessStats.jvmThreads() >= 1);
    }
}

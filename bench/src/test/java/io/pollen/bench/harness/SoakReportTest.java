package io.pollen.bench.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soak's judgement of a run: a server that lived but logged failures on its loops did not pass. */
class SoakReportTest {

    @Test
    void uncaughtFailuresInTheServersLogAreFoundAndBreakAnInvariant(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Files.writeString(log, """
                pollen serve: listening on http://127.0.0.1:1 (io_uring backend, 1 event-loop thread)
                Dec 06, 2026 11:05:18 PM io.pollen.runtime.LastResort warn
                WARNING: uncaught failure on pollen-server-loop-0
                io.pollen.sys.NativeIOException: shutdown failed: ENOTCONN (107) Transport endpoint is not connected
                \tat io.pollen.sys.unix.Net.shutdown(Net.java:267)
                pollen serve: stopped
                """);
        List<String> failures = Soak.loopFailures(log);
        assertEquals(List.of("io.pollen.sys.NativeIOException: shutdown failed: ENOTCONN (107) Transport endpoint is not connected"),
                failures);

        SoakReport failed = report(failures);
        assertEquals(1, failed.brokenInvariants().size(), failed.brokenInvariants().toString());
        assertTrue(failed.brokenInvariants().getFirst().contains("1 uncaught failures on its loops (first: "
                + "io.pollen.sys.NativeIOException: shutdown failed: ENOTCONN"), failed.brokenInvariants().toString());
        assertTrue(failed.markdown().contains("**missed**") && failed.markdown().contains("uncaught failures logged: 1"),
                failed.markdown());

        SoakReport clean = report(Soak.loopFailures(writeClean(dir)));
        assertTrue(clean.brokenInvariants().isEmpty(), clean.brokenInvariants().toString());
        assertTrue(clean.markdown().contains("**all met**") && clean.markdown().contains("uncaught failures logged: 0"),
                clean.markdown());
    }

    private static Path writeClean(Path dir) throws Exception {
        return Files.writeString(dir.resolve("clean.log"), "pollen serve: listening on http://127.0.0.1:1\npollen serve: stopped\n");
    }

    /** A run of no phases planned and none run, exit 0: only the log can fail it. */
    private static SoakReport report(List<String> failures) {
        return new SoakReport(List.of(), List.of(), 9, 0, Map.of(), 0, "io_uring", "soak-io_uring", failures);
    }
}

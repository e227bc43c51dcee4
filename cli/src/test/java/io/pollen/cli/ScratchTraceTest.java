package io.pollen.cli;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.time.Duration;

class ScratchTraceTest {
    @Test
    void trace() throws Exception {
        try (JdkSlowServer s = new JdkSlowServer()) {
            PrintWriter out = new PrintWriter(System.out, true);
            ChapterTrace.run(Target.parse(s.url() + "/delay/700/url/http://www.google.com"), Backend.NIO, Duration.ofSeconds(10), out);
        }
    }
}

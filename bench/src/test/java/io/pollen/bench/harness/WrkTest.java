package io.pollen.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing of wrk 4.1's report and bash's {@code times} lines. */
class WrkTest {

    private static final String OUTPUT = """
            Running 4s test @ http://127.0.0.1:40000/plaintext
              1 threads and 100 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     0.85ms  379.43us   3.21ms   63.16%
                Req/Sec    80.85k    20.00k  104.85k    50.00%
              Latency Distribution
                 50%  817.00us
                 75%    1.20ms
                 90%    4.47ms
                 99%   21.03ms
              322012 requests in 4.01s, 42.08MB read
              Socket errors: connect 0, read 2, write 0, timeout 1
              Non-2xx or 3xx responses: 5
            Requests/sec:  80215.79
            Transfer/sec:     10.48MB
            0m0.002s 0m0.001s
            0m0.812s 0m2.396s
            """;

    @Test
    void parsesThroughputPercentilesErrorsAndCpu() throws IOException {
        Map<String, Double> m = Wrk.parse(OUTPUT, 4, 1);
        assertEquals(80215.79, m.get("rps"), 1e-9);
        assertEquals(817.0, m.get("p50_us"), 1e-9);
        assertEquals(21030.0, m.get("p99_us"), 1e-9);
        assertEquals(8.0, m.get("errors"), 1e-9);
        assertEquals((0.812 + 2.396) / 4, m.get("gen_cpu"), 1e-9);
    }

    @Test
    void pipelinedRunsCarryNoLatency() throws IOException {
        Map<String, Double> m = Wrk.parse(OUTPUT, 4, 16);
        assertFalse(m.containsKey("p50_us"));
        assertEquals(80215.79, m.get("rps"), 1e-9);
    }

    @Test
    void outputWithoutThroughputIsAnError() {
        assertThrows(IOException.class, () -> Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused", 1, 1));
    }
}

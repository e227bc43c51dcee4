package io.pollen.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Medians, status and the CSV/JSON writers of the harness's results. */
class ResultsTest {

    @Test
    void medianOfOddAndEvenRounds() {
        Results r = new Results();
        r.add("a", "http", 1, Map.of("rps", 30.0));
        r.add("a", "http", 2, Map.of("rps", 10.0));
        r.add("a", "http", 3, Map.of("rps", 20.0));
        r.add("b", "http", 1, Map.of("rps", 1.0));
        r.add("b", "http", 2, Map.of("rps", 4.0));
        assertEquals(20.0, r.median("a", "http", "rps").getAsDouble());
        assertEquals(2.5, r.median("b", "http", "rps").getAsDouble());
        assertTrue(r.median("c", "http", "rps").isEmpty());
        assertTrue(r.median("a", "echo", "rps").isEmpty());
    }

    @Test
    void onlyFailedServersFailTheRun() {
        Results r = new Results();
        r.status.put("a", "ok");
        r.status.put("b", "unavailable: io_uring disabled");
        r.status.put("c", "missing: not built");
        assertFalse(r.failed());
        r.status.put("d", "FAILED: died");
        assertTrue(r.failed());
    }

    @Test
    void writesCsvAndEscapedJson() {
        Results r = new Results();
        r.add("a", "http", 1, Map.of("rps", 1234.5, "errors", 0.0));
        r.status.put("a", "FAILED: said \"no\"\n");
        String csv = r.csv();
        assertEquals("server,scenario,round,errors,rps\na,http,1,0,1234.500\n", csv);
        String json = r.json(Map.of("nproc", "2"), Map.of("mode", "smoke"));
        assertTrue(json.contains("\"a\": \"FAILED: said \\\"no\\\"\\n\""), json);
        assertTrue(json.contains("{\"server\": \"a\", \"scenario\": \"http\", \"round\": 1, \"errors\": 0, \"rps\": 1234.500}"), json);
    }

    @Test
    void parsesAGeneratorLine() {
        Map<String, Double> m = Results.parseFlatJson("{\"depth\":16,\"rate\":48359.3,\"p99_us\":3.5e2,\"errors\":0}");
        assertEquals(Map.of("depth", 16.0, "rate", 48359.3, "p99_us", 350.0, "errors", 0.0), m);
    }
}

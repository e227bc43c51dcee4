package io.pollen.bench.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the harness's Markdown report says of a server that serves echo only (the C io_uring floor). */
class ReportTest {

    @Test
    void anEchoOnlyServerHasEchoRowsAndSaysSoInTheHttpTables() {
        List<ServerCatalog.Spec> specs = ServerCatalog.all().stream()
                .filter(s -> s.name().equals("c-epoll") || s.name().equals("c-io_uring")).toList();
        ServerCatalog.Spec floor = specs.stream().filter(ServerCatalog.Spec::echoOnly).findFirst().orElseThrow();
        assertTrue(floor.name().equals("c-io_uring") && floor.isNative() && !floor.multiLoop(), floor.toString());

        Results r = new Results();
        r.status.put("c-epoll", "ok");
        r.status.put("c-io_uring", "ok");
        r.add("c-epoll", Runner.HTTP, 1, Map.of("rps", 100_000.0, "server_cpu", 1.0));
        r.add("c-epoll", Runner.ECHO_PIPE, 1, Map.of("rate", 2_000_000.0, "server_cpu", 1.0));
        r.add("c-io_uring", Runner.ECHO_PIPE, 1, Map.of("rate", 2_200_000.0, "server_cpu", 1.0));
        String md = Report.markdown(r, specs, new HashMap<>(), Bench.Config.of(Args.parse(new String[] {"--smoke"})), "");

        String http = md.substring(md.indexOf("## HTTP plaintext, 100 connections, no pipelining"));
        http = http.substring(0, http.indexOf("\n\n", http.indexOf("|")));
        assertTrue(http.contains("| c-io_uring | echo only |"), http);
        String echo = md.substring(md.indexOf("## TCP echo 32 B, 100 connections, 16 in flight"));
        assertTrue(echo.contains("| c-io_uring | 2,200,000 |"), echo);
        assertTrue(echo.contains("| 1.10 |"), "its ratio to C epoll: " + echo);
    }
}

package io.pollen.examples;

import io.pollen.poll.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steps 1 to 3 against Pollen's own embedded demo server (steps 2 and 3 on the runtime's default
 * backend, which {@code -Dpollen.backend} selects), and their main() methods end to end.
 */
@Timeout(60)
class RuntimeExamplesTest {
    @BeforeAll
    static void before() throws Exception {
        SocketChannel.open().close(); // the JDK's once-per-JVM nio fds are not ours to count
    }

    @Test
    void chapterProgramAgainstTheEmbeddedDemoServer() throws Exception {
        try (ExampleServer server = ExampleServer.embedded("/delay/300/url/http://www.google.com")) {
            String response = ChapterReactorExecutor.run(server.target(), Backend.select(), quiet());
            assertDemoResponse(response, "url/http://www.google.com");
        }
    }

    @Test
    void asyncStyleReceivesTheResponse() throws Exception {
        try (ExampleServer server = ExampleServer.embedded("/delay/300/async")) {
            Captured out = new Captured();
            String response = AsyncTask.run(server.target(), out.stream);
            assertDemoResponse(response, "async");
            assertTrue(out.text().contains("TASK: request sent; suspended until the response is ready"), out.text());
        }
    }

    @Test
    void virtualThreadStyleReceivesTheResponse() throws Exception {
        try (ExampleServer server = ExampleServer.embedded("/delay/300/virtual")) {
            Captured out = new Captured();
            String response = VirtualThreadTask.run(server.target(), out.stream);
            assertDemoResponse(response, "virtual");
            // The task ran on a virtual thread: its toString says so.
            assertTrue(out.text().contains("TASK: on VirtualThread["), out.text());
        }
    }

    @Test
    void theRuntimeStylesReportARefusedConnection() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Target nowhere = Target.parse("http://127.0.0.1:" + closedPort + "/delay/10");
        ExecutionException async = assertThrows(ExecutionException.class, () -> AsyncTask.run(nowhere, quiet()));
        assertTrue(String.valueOf(async.getCause()).toLowerCase().contains("refused"), String.valueOf(async.getCause()));
        ExecutionException virtual = assertThrows(ExecutionException.class, () -> VirtualThreadTask.run(nowhere, quiet()));
        assertTrue(String.valueOf(virtual.getCause()).toLowerCase().contains("refused"), String.valueOf(virtual.getCause()));
    }

    @Test
    void mainMethodsRunAgainstAUrlArgument() throws Exception {
        try (ExampleServer server = ExampleServer.embedded("/delay/0/x")) {
            String url = server.target().toString();
            for (Main main : new Main[] {ChapterReactorExecutor::main, AsyncTask::main, VirtualThreadTask::main}) {
                Captured out = new Captured();
                PrintStream saved = System.out;
                System.setOut(out.stream);
                try {
                    main.run(new String[] {url});
                } finally {
                    System.setOut(saved);
                }
                assertTrue(out.text().contains("HTTP/1.1 200 OK"), out.text());
                assertTrue(out.text().stripTrailing().endsWith("EXITING"), out.text());
            }
        }
    }

    @Test
    void targetParsing() {
        Target t = Target.parse("http://localhost:8080/delay/1000/url/http://www.google.com");
        assertEquals("localhost:8080", t.host());
        assertEquals("/delay/1000/url/http://www.google.com", t.path());
        assertTrue(t.request().startsWith("GET /delay/1000/url/http://www.google.com HTTP/1.1\r\nHost: localhost:8080\r\n"));
        assertThrows(IllegalArgumentException.class, () -> Target.parse("https://example.com/"));
        assertThrows(IllegalArgumentException.class, () -> Target.parse("http:///nohost"));
    }

    interface Main {
        void run(String[] args) throws Exception;
    }

    private static void assertDemoResponse(String response, String body) {
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertTrue(response.endsWith("\r\n\r\n" + body), response);
    }

    private static PrintStream quiet() {
        return new Captured().stream;
    }

    static final class Captured {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}

package io.pollen.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** URL parsing for the demo and the raw-response check that counts its successes. */
class TargetAndResponseTest {
    @Test
    void parsesTheChaptersUrl() {
        Target t = Target.parse("http://127.0.0.1:8080/delay/1000/url/http://www.google.com");
        assertEquals(8080, t.address().getPort());
        assertEquals("127.0.0.1:8080", t.host());
        assertEquals("/delay/1000/url/http://www.google.com", t.path());
        assertEquals(Duration.ofSeconds(1), t.delay());
        assertEquals("GET /delay/1000/url/http://www.google.com HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                + "User-Agent: pollen\r\nConnection: close\r\n\r\n", t.request());
    }

    @Test
    void defaultsPortAndPathAndKeepsTheQuery() {
        Target t = Target.parse("http://localhost");
        assertEquals(80, t.address().getPort());
        assertEquals("/", t.path());
        assertEquals(Duration.ZERO, t.delay());
        assertEquals("/x?y=1", Target.parse("http://127.0.0.1:1/x?y=1").path());
        assertEquals(Duration.ofMillis(5), Target.parse("http://127.0.0.1:1/delay/5").delay());
        assertEquals(Duration.ZERO, Target.parse("http://127.0.0.1:1/delayed/5").delay());
    }

    @Test
    void rejectsWhatIsNotAnHttpUrl() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Target.parse("ftp://127.0.0.1/"))
                .getMessage().contains("only http:// and https://"));
        Target tls = Target.parse("https://127.0.0.1/x");
        assertTrue(tls.https());
        assertEquals(443, tls.address().getPort());
        assertEquals("127.0.0.1", tls.hostName());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Target.parse("not a url"))
                .getMessage().contains("not a URL"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Target.parse("/just/a/path"))
                .getMessage().contains("not an absolute"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Target.parse("http://127.0.0.1:0/"))
                .getMessage().contains("bad port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Target.parse("http://no-such-host.invalid/"))
                .getMessage().contains("unknown host"));
    }

    @Test
    void responseChecks() {
        assertTrue(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello").ok());
        assertTrue(parse("HTTP/1.0 204 No Content\r\n\r\n").ok());
        assertTrue(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").ok());
        RawResponse shortBody = parse("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello");
        assertFalse(shortBody.ok());
        assertEquals("body of 5 bytes, Content-Length said 10", shortBody.problem());
        RawResponse notFound = parse("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        assertEquals(404, notFound.status());
        assertEquals("HTTP status 404", notFound.problem());
        assertEquals("empty response", parse("").problem());
        assertEquals("response ended inside its headers", parse("HTTP/1.1 200 OK\r\nServer: x").problem());
        assertTrue(parse("SSH-2.0-OpenSSH\r\n\r\n").problem().startsWith("not an HTTP/1.x response"));
        assertTrue(parse("HTTP/1.1 abc OK\r\n\r\n").problem().startsWith("bad status line"));
        assertTrue(parse("HTTP/1.1\r\n\r\n").problem().startsWith("not an HTTP/1.x response"), "no status code");
        assertEquals(200, parse("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok").status(), "no reason phrase");
        RawResponse lastHeader = parse("HTTP/1.1 200 OK\r\nServer: x\r\n Content-Length : 3\r\n\r\nhello");
        assertEquals("body of 5 bytes, Content-Length said 3", lastHeader.problem(), "the last header line counts");
        assertTrue(parse("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n").problem().startsWith("bad Content-Length"));
    }

    private static RawResponse parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return RawResponse.parse(b, b.length);
    }
}

package io.pollen.http.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RequestParserTest {
    static final String FULL = "POST /echo/x?q=1&r=2 HTTP/1.1\r\n"
            + "Host: example.com:8080\r\n"
            + "User-Agent:  curl/8.0  \r\n"
            + "X-Empty:\r\n"
            + "X-Tab:\tvalue with  inner\tspace\t\r\n"
            + "Content-Length: 5\r\n"
            + "\r\n"
            + "hello";

    static ByteBuffer buf(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static void assertFull(RequestParser p, ByteBuffer rest) {
        assertTrue(p.isComplete());
        assertTrue(p.methodIs(Ascii.bytes("POST")));
        assertEquals("/echo/x?q=1&r=2", Ascii.string(p.store(), p.targetStart(), p.targetEnd() - p.targetStart()));
        assertEquals("/echo/x", Ascii.string(p.store(), p.pathStart(), p.pathEnd() - p.pathStart()));
        assertEquals(1, p.minorVersion());
        assertEquals(5, p.headerCount());
        assertEquals("Host", p.headerName(0));
        assertEquals("example.com:8080", p.headerValue(0));
        assertEquals("curl/8.0", p.headerValue(1));
        assertEquals("", p.headerValue(2));
        assertEquals("value with  inner\tspace", p.headerValue(3));
        assertEquals(4, p.indexOf(Ascii.lowerBytes("content-length")));
        assertEquals(RequestParser.Framing.LENGTH, p.framing());
        assertEquals(5, p.contentLength());
        assertTrue(p.keepAlive());
        assertEquals("hello", StandardCharsets.ISO_8859_1.decode(rest).toString());
    }

    @Test
    void parsesAWholeRequestInOneBuffer() throws Exception {
        RequestParser p = new RequestParser(Limits.DEFAULT);
        ByteBuffer in = buf(FULL);
        assertTrue(p.parse(in));
        assertFull(p, in);
    }

    /** The head split into two reads at every byte boundary parses to the same result. */
    @Test
    void everySplitPointGivesTheSameResult() throws Exception {
        byte[] all = FULL.getBytes(StandardCharsets.ISO_8859_1);
        RequestParser p = new RequestParser(Limits.DEFAULT); // one parser, reused: reset must be complete
        for (int split = 0; split <= all.length; split++) {
            p.reset();
            ByteBuffer first = ByteBuffer.wrap(all, 0, split);
            boolean done = p.parse(first);
            ByteBuffer second = ByteBuffer.wrap(all, first.position(), all.length - first.position());
            if (!done) {
                assertFalse(first.hasRemaining(), "an incomplete head consumes all input, split " + split);
                assertTrue(p.parse(second), "split at " + split);
            } else {
                second = ByteBuffer.wrap(all, first.position(), all.length - first.position());
            }
            assertFull(p, second);
        }
    }

    @Test
    void oneByteAtATime() throws Exception {
        byte[] all = FULL.getBytes(StandardCharsets.ISO_8859_1);
        RequestParser p = new RequestParser(Limits.DEFAULT);
        int i = 0;
        boolean done = false;
        while (!done) {
            ByteBuffer one = ByteBuffer.wrap(all, i, 1);
            done = p.parse(one);
            i++;
        }
        assertFull(p, ByteBuffer.wrap(all, i, all.length - i));
    }

    /**
     * A long head (store and field arrays grow) from a direct buffer gives the same fields as the
     * same head fed one byte at a time.
     */
    @Test
    void longHeadFromADirectBufferMatchesByteAtATime() throws Exception {
        StringBuilder sb = new StringBuilder("PATCH /" + "p".repeat(700) + "?q=" + "x".repeat(90) + " HTTP/1.1\r\n");
        for (int i = 0; i < 30; i++) {
            sb.append("X-Field-").append(i).append(":  \t v").append(i).append(" inner \t space ")
                    .append("w".repeat(i * 7)).append(" \t \r\n");
        }
        byte[] all = sb.append("Host: h\r\n\r\nnext").toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer direct = ByteBuffer.allocateDirect(all.length).put(all).flip();
        RequestParser whole = new RequestParser(Limits.DEFAULT);
        assertTrue(whole.parse(direct));
        RequestParser bytewise = new RequestParser(Limits.DEFAULT);
        int i = 0;
        while (!bytewise.parse(ByteBuffer.wrap(all, i, 1))) {
            i++;
        }
        assertEquals(all.length - 4, direct.position());
        assertEquals(bytewise.headerCount(), whole.headerCount());
        assertEquals(31, whole.headerCount());
        for (int f = 0; f < whole.headerCount(); f++) {
            assertEquals(bytewise.headerName(f), whole.headerName(f));
            assertEquals(bytewise.headerValue(f), whole.headerValue(f));
        }
        assertEquals("v3 inner \t space " + "w".repeat(21), whole.headerValue(3));
        assertEquals(Ascii.string(bytewise.store(), bytewise.targetStart(), bytewise.targetEnd() - bytewise.targetStart()),
                Ascii.string(whole.store(), whole.targetStart(), whole.targetEnd() - whole.targetStart()));
        assertTrue(whole.methodIs(Ascii.bytes("PATCH")));
    }

    @Test
    void pipelinedRequestsParseFromOneBuffer() throws Exception {
        ByteBuffer in = buf("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
        RequestParser p = new RequestParser(Limits.DEFAULT);
        assertTrue(p.parse(in));
        assertEquals("/a", Ascii.string(p.store(), p.pathStart(), p.pathEnd() - p.pathStart()));
        p.reset();
        assertTrue(p.parse(in));
        assertEquals("/b", Ascii.string(p.store(), p.pathStart(), p.pathEnd() - p.pathStart()));
        assertFalse(in.hasRemaining());
    }

    @Test
    void framingAndConnectionRules() throws Exception {
        RequestParser p = parse("GET / HTTP/1.0\r\n\r\n");
        assertFalse(p.keepAlive(), "HTTP/1.0 closes by default");
        assertEquals(0, p.minorVersion());
        assertTrue(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, CLOSE\r\n\r\n").keepAlive());
        assertEquals(RequestParser.Framing.CHUNKED,
                parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n").framing());
        assertEquals(RequestParser.Framing.NONE, parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n").framing());
        assertEquals(7, parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 7, 7\r\n\r\n").contentLength());
        assertTrue(parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n").expectContinue());
        assertEquals(1, parse("GET / HTTP/1.7\r\nHost: h\r\n\r\n").minorVersion(), "1.x is answered as 1.1");
        assertTrue(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n").isComplete(), "leading empty lines are ignored");
        assertTrue(parse("GET / HTTP/1.1\nHost: h\n\n").isComplete(), "bare LF ends lines");
        RequestParser abs = parse("GET http://h:1/p/q?x HTTP/1.1\r\nHost: h\r\n\r\n");
        assertEquals("/p/q", Ascii.string(abs.store(), abs.pathStart(), abs.pathEnd() - abs.pathStart()));
    }

    static RequestParser parse(String s) throws HttpParseException {
        RequestParser p = new RequestParser(Limits.DEFAULT);
        assertTrue(p.parse(buf(s)), s);
        return p;
    }

    @ParameterizedTest(name = "{1} <- {0}")
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1\\r\\n\\r\\n | 400",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n | 400",
        "GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
        "GET /\\r\\n\\r\\n | 400",
        "GET / http/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
        "GET / HTTP/1.1x\\r\\nHost: a\\r\\n\\r\\n | 400",
        "GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n | 505",
        "GET / HTTP/0.9\\r\\nHost: a\\r\\n\\r\\n | 505",
        "G(T / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
        "GET /a\\u0001 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | 400",
        "GET / HTTP/1.1\\rHost: a\\r\\n\\r\\n | 400",
        "GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n | 400",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\n folded\\r\\n\\r\\n | 400",
        "GET / HTTP/1.1\\r\\nHost: a\\u0000b\\r\\n\\r\\n | 400",
        "GET / HTTP/1.1\\r\\n: novalue\\r\\n\\r\\n | 400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n | 400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: -1\\r\\n\\r\\n | 400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1x\\r\\n\\r\\n | 400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 99999999999999999999\\r\\n\\r\\n | 413",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 9999999999\\r\\n\\r\\n | 413",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 3\\r\\n\\r\\n | 400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n | 501",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n | 501",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, chunked\\r\\n\\r\\n | 400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: \\r\\n\\r\\n | 400",
        "POST / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nExpect: 200-ok\\r\\n\\r\\n | 417",
    })
    void malformedRequestsGetTheirStatus(String raw, int status) {
        String req = raw.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0001", "\u0001").replace("\\u0000", "\u0000");
        HttpParseException e = assertThrows(HttpParseException.class, () -> new RequestParser(Limits.DEFAULT).parse(buf(req)));
        assertEquals(status, e.status(), e.getMessage());
        HttpParseException d = assertThrows(HttpParseException.class, () -> new RequestParser(Limits.DEFAULT).parse(direct(req)));
        assertEquals(e.getMessage(), d.getMessage(), "a direct buffer gets the same answer");
    }

    static ByteBuffer direct(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    /**
     * Three pipelined heads, longer together than the parser's copy of a direct buffer (256
     * bytes), behind a prefix of every length from 0 to 600 that is not theirs: from a direct
     * buffer and from a heap buffer whose array starts before it (a slice), each head parses
     * whole and leaves the buffer at the next one.
     */
    @Test
    void pipelinedHeadsParseFromAnyOffsetOfDirectAndSlicedBuffers() throws Exception {
        String heads = "GET /first HTTP/1.1\r\nHost: h\r\nX-Pad: " + "p".repeat(200) + "\r\n\r\n"
                + "GET /second HTTP/1.1\r\nHost: h\r\nX-Pad: " + "q".repeat(300) + "\r\n\r\n"
                + "GET /third HTTP/1.1\r\nHost: h\r\n\r\nrest";
        RequestParser p = new RequestParser(Limits.DEFAULT);
        for (int prefix = 0; prefix <= 600; prefix += 7) {
            byte[] all = ("#".repeat(prefix) + heads).getBytes(StandardCharsets.ISO_8859_1);
            ByteBuffer direct = ByteBuffer.allocateDirect(all.length).put(all).flip().position(prefix);
            ByteBuffer sliced = ByteBuffer.wrap(all).position(prefix).slice();
            for (ByteBuffer in : List.of(direct, sliced)) {
                for (String path : List.of("/first", "/second", "/third")) {
                    p.reset();
                    assertTrue(p.parse(in), path + " after " + prefix);
                    assertEquals(path, Ascii.string(p.store(), p.pathStart(), p.pathEnd() - p.pathStart()));
                    assertEquals(path.equals("/third") ? 1 : 2, p.headerCount());
                }
                assertEquals("rest", StandardCharsets.ISO_8859_1.decode(in).toString(), "after " + prefix);
            }
        }
    }

    @Test
    void limits() {
        Limits small = new Limits(64, 128, 4, 100);
        assertEquals(414, status(small, "GET /" + "a".repeat(100) + " HTTP/1.1\r\nHost: a\r\n\r\n"));
        assertEquals(431, status(small, "GET / HTTP/1.1\r\nHost: a\r\nX: " + "b".repeat(200) + "\r\n\r\n"));
        assertEquals(431, status(small, "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n"));
        assertEquals(413, status(small, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n"));
        // exactly at the limits is fine
        String line = "GET /" + "a".repeat(64 - 16) + " HTTP/1.1\r\n";
        assertEquals(64, line.length());
        assertEquals(0, status(small, line + "Host: a\r\n\r\n"));
        assertEquals(414, status(small, "GET /a" + line.substring(5) + "Host: a\r\n\r\n"));
        // the header section: 128 bytes including the final CRLF pass, 129 do not
        String fields = "Host: a\r\nX: " + "b".repeat(128 - 16) + "\r\n\r\n";
        assertEquals(128, fields.length());
        assertEquals(0, status(small, "GET / HTTP/1.1\r\n" + fields));
        assertEquals(431, status(small, "GET / HTTP/1.1\r\n" + fields.replace("X: ", "X: b")));
    }

    /** Limits at Integer.MAX_VALUE (no limit in effect): position + limit must not overflow. */
    @Test
    void limitsAtIntMaxParse() throws Exception {
        Limits none = new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);
        for (ByteBuffer in : new ByteBuffer[] {buf("x".repeat(100) + FULL).position(100), direct(FULL)}) {
            RequestParser p = new RequestParser(none);
            assertTrue(p.parse(in));
            assertFull(p, in);
        }
    }

    /** The status a request gets (0: none), the same from a heap and a direct buffer. */
    static int status(Limits limits, String req) {
        int heap = status(limits, buf(req));
        assertEquals(heap, status(limits, direct(req)), "a direct buffer gets the same answer");
        return heap;
    }

    private static int status(Limits limits, ByteBuffer in) {
        try {
            new RequestParser(limits).parse(in);
            return 0;
        } catch (HttpParseException e) {
            return e.status();
        }
    }
}

package io.pollen.http.codec;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class ResponseParserTest {
    static ResponseParser parse(String s, boolean head) throws HttpParseException {
        ResponseParser p = new ResponseParser(Limits.DEFAULT);
        p.reset(head);
        assertTrue(p.parse(ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1))), s);
        return p;
    }

    @Test
    void statusLineAndFraming() throws Exception {
        ResponseParser p = parse("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX-A: b\r\n\r\n", false);
        assertEquals(200, p.status());
        assertEquals("OK", p.reason());
        assertEquals(ResponseParser.Framing.LENGTH, p.framing());
        assertEquals(12, p.contentLength());
        assertTrue(p.keepAlive());

        assertEquals(ResponseParser.Framing.CHUNKED, parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", false).framing());
        ResponseParser close = parse("HTTP/1.0 200 OK\r\nServer: x\r\n\r\n", false);
        assertEquals(ResponseParser.Framing.UNTIL_CLOSE, close.framing());
        assertFalse(close.keepAlive());
        assertEquals(ResponseParser.Framing.NONE, parse("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", true).framing());
        assertEquals(ResponseParser.Framing.NONE, parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 12\r\n\r\n", false).framing());
        assertEquals(ResponseParser.Framing.NONE, parse("HTTP/1.1 204 No Content\r\n\r\n", false).framing());
        ResponseParser noReason = parse("HTTP/1.1 404\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", false);
        assertEquals(404, noReason.status());
        assertEquals("", noReason.reason());
        assertFalse(noReason.keepAlive());
        assertTrue(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n", false).keepAlive());
        assertEquals(100, parse("HTTP/1.1 100 Continue\r\n\r\n", false).status());
    }

    @Test
    void everySplitPoint() throws Exception {
        byte[] all = "HTTP/1.1 201 Created Now\r\nA: 1\r\nContent-Length: 3\r\n\r\nabc".getBytes(StandardCharsets.ISO_8859_1);
        ResponseParser p = new ResponseParser(Limits.DEFAULT);
        for (int split = 0; split <= all.length; split++) {
            p.reset(false);
            ByteBuffer a = ByteBuffer.wrap(all, 0, split);
            if (!p.parse(a)) {
                assertTrue(p.parse(ByteBuffer.wrap(all, split, all.length - split)));
            }
            assertEquals(201, p.status());
            assertEquals("Created Now", p.reason());
            assertEquals(3, p.contentLength());
            assertEquals("1", p.headerValue(0));
        }
    }

    /** The framing fields a request and a response share are read by one piece (HeadParser), the same way. */
    @Test
    void contentLengthListsAndConnectionOptionsReadAsInARequest() throws Exception {
        assertEquals(5, parse("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", false).contentLength(),
                "identical values, as a proxy that joined two fields sends them (RFC 9110 8.6)");
        assertEquals(5, parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", false).contentLength());
        for (String bad : new String[]{"5, 6", "5,", "5 5", "-5", "0x5", "1234567890123456789"}) {
            String s = "HTTP/1.1 200 OK\r\nContent-Length: " + bad + "\r\n\r\n";
            ResponseParser p = new ResponseParser(Limits.DEFAULT);
            p.reset(false);
            HttpParseException e = assertThrows(HttpParseException.class, () -> p.parse(ByteBuffer.wrap(s.getBytes())), bad);
            assertTrue(e.getMessage().contains("Content-Length"), e.getMessage());
        }
        assertFalse(parse("HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n", false).keepAlive());
        assertTrue(parse("HTTP/1.0 200 OK\r\nConnection:\tfoo ,Keep-Alive\r\nContent-Length: 0\r\n\r\n", false).keepAlive());
        assertFalse(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n", false).keepAlive(),
                "close wins");
    }

    @Test
    void malformed() {
        for (String s : new String[]{"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
                "ICY 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"}) {
            ResponseParser p = new ResponseParser(Limits.DEFAULT);
            p.reset(false);
            assertThrows(HttpParseException.class, () -> p.parse(ByteBuffer.wrap(s.getBytes())), s);
        }
    }

    @Test
    void statusCodesOutsideTheRangeAreRejected() {
        for (String code : new String[]{"999", "600", "099", "000", "042"}) {
            String s = "HTTP/1.1 " + code + " Odd\r\nContent-Length: 0\r\n\r\n";
            ResponseParser p = new ResponseParser(Limits.DEFAULT);
            p.reset(false);
            HttpParseException e = assertThrows(HttpParseException.class, () -> p.parse(ByteBuffer.wrap(s.getBytes())), s);
            assertTrue(e.getMessage().contains("out of range 100-599"), e.getMessage());
        }
        for (String code : new String[]{"100", "599"}) {
            assertDoesNotThrow(() -> parse("HTTP/1.1 " + code + " Edge\r\n\r\n", false), code);
        }
    }

    @Test
    void contentLengthWithTransferEncodingIsRejected() {
        for (String s : new String[]{
                "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
                "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n"}) {
            ResponseParser p = new ResponseParser(Limits.DEFAULT);
            p.reset(false);
            HttpParseException e = assertThrows(HttpParseException.class, () -> p.parse(ByteBuffer.wrap(s.getBytes())), s);
            assertTrue(e.getMessage().contains("both Content-Length and Transfer-Encoding"), e.getMessage());
        }
    }
}

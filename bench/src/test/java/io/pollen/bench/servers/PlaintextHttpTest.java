package io.pollen.bench.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The byte-level HTTP shared by the hand-written competitor servers. */
class PlaintextHttpTest {

    private static final String GET = "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n";

    private static ByteBuffer in(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(ByteBuffer out) {
        return new String(out.array(), 0, out.position(), StandardCharsets.US_ASCII);
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) n++;
        return n;
    }

    @Test
    void answersEveryPipelinedRequestInOrder() {
        ByteBuffer in = in(GET + "GET /other HTTP/1.1\r\n\r\n" + GET);
        ByteBuffer out = ByteBuffer.allocate(4096);
        assertEquals(PlaintextHttp.NEED_MORE, PlaintextHttp.serve(in, out));
        String s = text(out);
        assertEquals(2, count(s, "HTTP/1.1 200 OK"));
        assertEquals(1, count(s, "HTTP/1.1 404 Not Found"));
        assertTrue(s.indexOf("404") > s.indexOf("Hello, World!"), "order kept");
        assertTrue(s.endsWith("\r\n\r\nHello, World!"));
        assertEquals(in.limit(), in.position());
    }

    @Test
    void responseHasTheCommonHeadersAndAFixedLength() {
        String r = new String(PlaintextHttp.response(), StandardCharsets.US_ASCII);
        assertTrue(r.startsWith("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nServer: pollen-bench\r\nDate: "), r);
        assertTrue(r.matches("(?s).*\r\nDate: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n\r\nHello, World!"), r);
        assertEquals(137, r.length(), "the Date value is always 29 bytes");
    }

    @Test
    void keepsAPartialHeadForTheNextRead() {
        ByteBuffer in = in(GET + "GET /plaintext HTTP/1.1\r\nHo");
        ByteBuffer out = ByteBuffer.allocate(4096);
        assertEquals(PlaintextHttp.NEED_MORE, PlaintextHttp.serve(in, out));
        assertEquals(1, count(text(out), "200 OK"));
        assertEquals(GET.length(), in.position(), "the partial request is left unconsumed");
    }

    @Test
    void connectionCloseAndHttp10CloseAfterTheResponse() {
        ByteBuffer out = ByteBuffer.allocate(4096);
        assertEquals(PlaintextHttp.CLOSE,
                PlaintextHttp.serve(in("GET /plaintext HTTP/1.1\r\nConnection: Close\r\n\r\n" + GET), out));
        assertEquals(1, count(text(out), "200 OK"), "nothing after the closing request is answered");
        out.clear();
        assertEquals(PlaintextHttp.CLOSE, PlaintextHttp.serve(in("GET /plaintext HTTP/1.0\r\n\r\n"), out));
        out.clear();
        assertEquals(PlaintextHttp.NEED_MORE,
                PlaintextHttp.serve(in("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), out));
    }

    @Test
    void requestsWithBodiesAndOversizedHeadsAreRefused() {
        ByteBuffer out = ByteBuffer.allocate(4096);
        assertEquals(PlaintextHttp.CLOSE, PlaintextHttp.serve(in("POST /plaintext HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"), out));
        assertTrue(text(out).startsWith("HTTP/1.1 400"));
        out.clear();
        assertEquals(PlaintextHttp.NEED_MORE, PlaintextHttp.serve(in("GET /plaintext HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), out));
        assertTrue(text(out).startsWith("HTTP/1.1 200"));
        out.clear();
        assertEquals(PlaintextHttp.CLOSE, PlaintextHttp.serve(in("GET /" + "a".repeat(PlaintextHttp.MAX_HEAD)), out));
        assertTrue(text(out).startsWith("HTTP/1.1 431"));
    }

    @Test
    void stopsWhenTheOutputBufferIsNearlyFullAndResumes() {
        ByteBuffer in = in(GET.repeat(10));
        ByteBuffer out = ByteBuffer.allocate(PlaintextHttp.MAX_RESPONSE * 3);
        int total = 0;
        int verdict;
        do {
            out.clear();
            verdict = PlaintextHttp.serve(in, out);
            total += count(text(out), "200 OK");
        } while (verdict == PlaintextHttp.OUT_FULL);
        assertEquals(PlaintextHttp.NEED_MORE, verdict);
        assertEquals(10, total);
    }
}

package io.pollen.http;

import io.pollen.http.codec.DateCache;
import io.pollen.http.codec.BufferPool;
import io.pollen.http.codec.OutputBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The encoder's remembered bytes of a constant response are exactly what it would write afresh. */
class ResponseEncoderTest {
    private static final Response HELLO = Response.text("Hello, World!").header("X-A", "1");

    @Test
    void aRepeatedResponseIsWrittenFromRememberedBytesIdenticalToAFreshEncoding() {
        AtomicLong wall = new AtomicLong(784111777_000L);
        ResponseEncoder encoder = new ResponseEncoder(new DateCache(wall::get), "pollen-test");
        String fresh = text(new ResponseEncoder(new DateCache(wall::get), "pollen-test"), HELLO, false, true, false, 0);
        assertEquals("HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: pollen-test\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nX-A: 1\r\nContent-Length: 13\r\n\r\nHello, World!", fresh);
        for (int i = 0; i < 4; i++) { // written, remembered, then sent from memory
            assertEquals(fresh, text(encoder, HELLO, false, true, false, i));
        }
        // other forms and other responses in between are written as before
        assertEquals(fresh.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"), text(encoder, HELLO, false, false, false, 5));
        assertEquals(fresh.substring(0, fresh.length() - 13), text(encoder, HELLO, true, true, false, 6));
        String other = text(encoder, Response.of(204), false, true, false, 7);
        assertEquals("HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: pollen-test\r\n\r\n", other);
        assertEquals(fresh, text(encoder, HELLO, false, true, false, 8));
        // a new second: the remembered bytes carry the new Date
        wall.addAndGet(1000);
        long later = 2_000_000_000L;
        assertEquals(fresh.replace(":37 GMT", ":38 GMT"), text(encoder, HELLO, false, true, false, later));
        assertEquals(fresh.replace(":37 GMT", ":38 GMT"), text(encoder, HELLO, false, true, false, later + 1));
        assertEquals(fresh.replace(":37 GMT", ":38 GMT"), text(encoder, HELLO, false, true, false, later + 2));
    }

    @Test
    void aResponseOverASliceWritesThatSliceAndItsLengthOnly() {
        ResponseEncoder encoder = new ResponseEncoder(new DateCache(() -> 784111777_000L), null);
        byte[] store = "xxHello!yy".getBytes(StandardCharsets.US_ASCII);
        Response r = Response.of(200, "text/plain", store, 2, 6).header("X-B", "2");
        assertEquals(6, r.bodyLength());
        assertEquals("Hello!", new String(r.body(), StandardCharsets.US_ASCII));
        String wire = text(encoder, r, false, true, false, 0);
        assertEquals("HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: text/plain\r\nX-B: 2\r\n"
                + "Content-Length: 6\r\n\r\nHello!", wire);
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class,
                () -> Response.of(200, null, store, 8, 3), "a slice past the array is refused");
    }

    private static String text(ResponseEncoder encoder, Response r, boolean head, boolean keepAlive, boolean http10,
                               long nanoNow) {
        try (BufferPool pool = new BufferPool(64, 1024, 4096)) {
            OutputBuffer out = new OutputBuffer(pool);
            encoder.encode(out, r, head, keepAlive, http10, nanoNow);
            ByteBuffer b = out.flipForWrite();
            String s = StandardCharsets.ISO_8859_1.decode(b).toString();
            out.compactAfterWrite();
            return s;
        }
    }
}

package io.pollen.http.codec;

import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Strict chunked framing (RFC 9112 §7.1), fed whole, split in two at every byte position, and one
 * byte at a time: valid bodies decode the same way every time and leave the next message's bytes
 * alone; invalid ones fail with the same status however they are split.
 */
class ChunkedDecoderTest {
    static Fds.Snapshot fds;

    @BeforeAll
    static void before() {
        fds = Fds.snapshot();
    }

    @AfterAll
    static void after() {
        fds.assertNoLeak();
    }

    static List<ChunkedCases.Good> good() {
        return ChunkedCases.good();
    }

    static List<ChunkedCases.Bad> bad() {
        return ChunkedCases.bad();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Decodes {@code all} fed as the pieces that start at {@code cuts}; returns the decoder's end position. */
    static int decode(ChunkedDecoder d, BodyBuffer body, byte[] all, int... cuts) throws HttpParseException {
        d.reset();
        body.clear();
        int at = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int end = i < cuts.length ? Math.max(at, cuts[i]) : all.length;
            ByteBuffer piece = ByteBuffer.wrap(all, at, end - at);
            boolean done = d.decode(piece, body);
            at = piece.position();
            if (done) {
                return at;
            }
        }
        return -1;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("good")
    void validBodiesDecodeAtEverySplitPoint(ChunkedCases.Good c) throws Exception {
        byte[] all = bytes(c.body() + "NEXT");
        ChunkedDecoder d = new ChunkedDecoder(Limits.DEFAULT);
        BodyBuffer body = new BodyBuffer(1000);
        for (int split = 0; split <= all.length; split++) {
            int end = decode(d, body, all, split);
            assertEquals(c.decoded(), new String(body.toByteArray(), StandardCharsets.ISO_8859_1), "split " + split);
            assertEquals(all.length - 4, end, "stops right after the body, split " + split);
            assertTrue(d.isDone());
        }
        int[] every = new int[all.length];
        for (int i = 0; i < every.length; i++) {
            every[i] = i;
        }
        assertEquals(all.length - 4, decode(d, body, all, every), "one byte at a time");
        assertEquals(c.decoded(), new String(body.toByteArray(), StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void invalidFramingFailsAtEverySplitPoint(ChunkedCases.Bad c) {
        byte[] all = bytes(c.body());
        ChunkedDecoder d = new ChunkedDecoder(Limits.DEFAULT);
        BodyBuffer body = new BodyBuffer(Limits.DEFAULT.maxBodyBytes());
        String first = null;
        for (int split = 0; split <= all.length; split++) {
            int s = split;
            HttpParseException e = assertThrows(HttpParseException.class, () -> decode(d, body, all, s),
                    c.name() + ", split " + split);
            assertEquals(c.status(), e.status(), e.getMessage());
            if (first == null) {
                first = e.getMessage();
            }
            assertEquals(first, e.getMessage(), "the same error wherever it is split (" + split + ")");
        }
        int[] every = new int[all.length];
        for (int i = 0; i < every.length; i++) {
            every[i] = i;
        }
        HttpParseException e = assertThrows(HttpParseException.class, () -> decode(d, body, all, every));
        assertEquals(first, e.getMessage(), "one byte at a time");
        assertTrue(first.startsWith("bad chunked framing: "), first);
    }

    @Test
    void aTruncatedBodyIsNotDoneYet() throws Exception {
        ChunkedDecoder d = new ChunkedDecoder(Limits.DEFAULT);
        BodyBuffer body = new BodyBuffer(100);
        byte[] all = bytes("5\r\nhello\r\n0\r\nX: y\r\n\r\n");
        for (int n = 0; n < all.length; n++) {
            d.reset();
            body.clear();
            assertFalse(d.decode(ByteBuffer.wrap(all, 0, n), body), "prefix of " + n + " bytes");
        }
    }

    @Test
    void chunkOrTotalOverTheBodyLimitIs413() {
        ChunkedDecoder d = new ChunkedDecoder(new Limits(64, 64, 4, 10));
        d.reset();
        HttpParseException e = assertThrows(HttpParseException.class,
                () -> d.decode(ByteBuffer.wrap(bytes("6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n")), new BodyBuffer(10)));
        assertEquals(413, e.status());
        d.reset();
        e = assertThrows(HttpParseException.class, () -> d.decode(ByteBuffer.wrap(bytes("ffffff0\r\n")), new BodyBuffer(10)));
        assertEquals(413, e.status(), "a size over the limit is refused before its data is read");
    }

    @Test
    void chunkLineAndTrailerLimitsAreConfigurable() throws Exception {
        Limits tight = Limits.DEFAULT.withChunked(8, 10);
        ChunkedDecoder d = new ChunkedDecoder(tight);
        BodyBuffer body = new BodyBuffer(100);
        assertEquals(19, decode(d, body, bytes("5;a=1\r\nhello\r\n0\r\n\r\n")), "a line of 7 bytes passes 8");
        assertEquals(400, assertThrows(HttpParseException.class,
                () -> decode(d, body, bytes("5;abc=1\r\nhello\r\n0\r\n\r\n"))).status(), "9 bytes do not");
        assertEquals(19, decode(d, body, bytes("1\r\nx\r\n0\r\nX: 123\r\n\r\n")), "10 bytes of trailers (final CRLF included) pass");
        assertEquals(400, assertThrows(HttpParseException.class,
                () -> decode(d, body, bytes("1\r\nx\r\n0\r\nX: 1234\r\n\r\n"))).status(), "11 do not");
        assertThrows(IllegalArgumentException.class, () -> Limits.DEFAULT.withChunked(2, 100));
    }
}

package io.pollen.http.codec;

import io.pollen.testing.Fds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

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

    static final String BODY = "5\r\nhello\r\n7;ext=1;b=\"x\"\r\n, world\r\nA\r\n0123456789\r\n0\r\nTrailer: t\r\n\r\nNEXT";

    @Test
    void decodesAtEverySplitPoint() throws Exception {
        byte[] all = BODY.getBytes(StandardCharsets.ISO_8859_1);
        ChunkedDecoder d = new ChunkedDecoder(Limits.DEFAULT);
        BodyBuffer body = new BodyBuffer(1000);
        for (int split = 0; split <= all.length; split++) {
            d.reset();
            body.clear();
            ByteBuffer a = ByteBuffer.wrap(all, 0, split);
            boolean done = d.decode(a, body);
            int at = a.position();
            if (!done) {
                ByteBuffer b = ByteBuffer.wrap(all, at, all.length - at);
                assertTrue(d.decode(b, body), "split " + split);
                at = b.position();
            }
            assertEquals("hello, world0123456789", new String(body.toByteArray(), StandardCharsets.ISO_8859_1));
            assertEquals("NEXT", new String(all, at, all.length - at, StandardCharsets.ISO_8859_1), "split " + split);
        }
    }

    @Test
    void bareLfAndUpperHex() throws Exception {
        ChunkedDecoder d = new ChunkedDecoder(Limits.DEFAULT);
        d.reset();
        BodyBuffer body = new BodyBuffer(1000);
        assertTrue(d.decode(ByteBuffer.wrap("1F\n".concat("x".repeat(31)).concat("\n0\n\n").getBytes()), body));
        assertEquals(31, body.length());
    }

    @ParameterizedTest(name = "{1} <- {0}")
    @CsvSource(delimiter = '|', value = {
        "x\\r\\n | 400",
        "\\r\\n | 400",
        "5\\r\\nhelloX | 400",
        "5\\rhello | 400",
        "ffffff0\\r\\n | 413",
        "fffffffffffffffffff\\r\\n | 413",
        "0\\r\\n\\u0001bad\\r\\n | 400",
    })
    void badChunkedBodies(String raw, int status) {
        String s = raw.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0001", "\u0001");
        ChunkedDecoder d = new ChunkedDecoder(Limits.DEFAULT);
        d.reset();
        HttpParseException e = assertThrows(HttpParseException.class,
                () -> d.decode(ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1)), new BodyBuffer(1000)));
        assertEquals(status, e.status(), e.getMessage());
    }

    @Test
    void totalOverTheLimitIs413() {
        ChunkedDecoder d = new ChunkedDecoder(new Limits(64, 64, 4, 10));
        d.reset();
        String s = "6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n";
        HttpParseException e = assertThrows(HttpParseException.class,
                () -> d.decode(ByteBuffer.wrap(s.getBytes()), new BodyBuffer(10)));
        assertEquals(413, e.status());
    }

    @Test
    void longExtensionIs431() {
        ChunkedDecoder d = new ChunkedDecoder(new Limits(64, 64, 4, 10));
        d.reset();
        String s = "1;" + "e".repeat(100) + "\r\n";
        assertEquals(431, assertThrows(HttpParseException.class,
                () -> d.decode(ByteBuffer.wrap(s.getBytes()), new BodyBuffer(10))).status());
    }
}

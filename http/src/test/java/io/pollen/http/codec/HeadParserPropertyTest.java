package io.pollen.http.codec;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The parser takes whole lines in one step (a request line, a field line), runs of bytes in one
 * step (a name, a value, a target) and copies a direct buffer in chunks. Fed one byte per call it
 * takes none of these shortcuts, so that is the reference:
 * for valid, mutated and over-the-limit heads, a whole heap buffer, a whole direct buffer and one
 * byte at a time must end the same way — the same fields and consumed bytes, or the same error.
 */
class HeadParserPropertyTest {
    /** Small limits, so that random heads cross them, at every position. */
    static final Limits LIMITS = new Limits(96, 400, 8, 1000);

    static final String[] TEMPLATES = {
        "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n",
        "POST /echo/x?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent:  curl/8.0  \r\nContent-Length: 5\r\n\r\nhello",
        "GET /a HTTP/1.1\r\nHost: h\r\nX-Tab:\tvalue with  inner\tspace\t\r\nX-Empty:\r\n\r\nnext",
        "PUT /" + "p".repeat(60) + " HTTP/1.0\r\nX-Long: " + "v w ".repeat(60) + "\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nCookie: " + "k=v; ".repeat(120) + "\r\n\r\n",
        "\r\nGET http://example.com/x?y HTTP/1.0\nHost: a\nConnection: keep-alive\n\n",
        "OPTIONS * HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nX-A: \t \r\n\r\n0\r\n\r\n",
    };

    @Provide
    Arbitrary<byte[]> heads() {
        Arbitrary<byte[]> template = Arbitraries.of(TEMPLATES).map(t -> t.getBytes(StandardCharsets.ISO_8859_1));
        Arbitrary<List<int[]>> edits = Arbitraries.integers().between(0, 1 << 20)
                .array(int[].class).ofSize(3).list().ofMaxSize(4);
        return Combinators.combine(template, edits).as(HeadParserPropertyTest::mutate);
    }

    /** Each edit: {position, kind, byte}; kind 0 replaces, 1 inserts, 2 deletes. */
    static byte[] mutate(byte[] head, List<int[]> edits) {
        List<Byte> b = new ArrayList<>();
        for (byte x : head) {
            b.add(x);
        }
        byte[] interesting = {'\r', '\n', ' ', '\t', ':', 0, (byte) 0x80, 0x7f, 'a', '/', '"'};
        for (int[] e : edits) {
            if (b.isEmpty()) {
                break;
            }
            int at = e[0] % b.size();
            byte v = (e[2] & 1) == 0 ? interesting[(e[2] >> 1) % interesting.length] : (byte) (e[2] >> 1);
            switch (e[1] % 3) {
                case 0 -> b.set(at, v);
                case 1 -> b.add(at, v);
                default -> b.remove(at);
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    @Property(tries = 3000)
    void wholeBuffersEndAsOneByteAtATimeDoes(@ForAll("heads") byte[] head) {
        String reference = byteAtATime(head);
        assertEquals(reference, whole(ByteBuffer.wrap(head)), "heap");
        assertEquals(reference, whole(ByteBuffer.allocateDirect(head.length).put(head).flip()), "direct");
    }

    @Property(tries = 300)
    void unmutatedTemplatesParse(@ForAll("templates") String template) {
        byte[] head = template.getBytes(StandardCharsets.ISO_8859_1);
        String reference = byteAtATime(head);
        assertEquals(reference, whole(ByteBuffer.allocateDirect(head.length).put(head).flip()));
    }

    @Provide
    Arbitrary<String> templates() {
        return Arbitraries.of(TEMPLATES);
    }

    private static String whole(ByteBuffer in) {
        RequestParser p = new RequestParser(LIMITS);
        try {
            boolean done = p.parse(in);
            return done ? describe(p, in.position()) : "incomplete";
        } catch (HttpParseException e) {
            return "error " + e.status() + ": " + e.getMessage();
        }
    }

    private static String byteAtATime(byte[] head) {
        RequestParser p = new RequestParser(LIMITS);
        try {
            for (int i = 0; i < head.length; i++) {
                if (p.parse(ByteBuffer.wrap(head, i, 1))) {
                    return describe(p, i + 1);
                }
            }
            return "incomplete";
        } catch (HttpParseException e) {
            return "error " + e.status() + ": " + e.getMessage();
        }
    }

    /** Everything a caller can read from a parsed head, and where the head ended. */
    private static String describe(RequestParser p, int consumed) {
        StringBuilder sb = new StringBuilder("consumed ").append(consumed)
                .append(" method ").append(Ascii.string(p.store(), 0, p.methodLength()))
                .append(" target ").append(Ascii.string(p.store(), p.targetStart(), p.targetEnd() - p.targetStart()))
                .append(" path ").append(Ascii.string(p.store(), p.pathStart(), p.pathEnd() - p.pathStart()))
                .append(" minor ").append(p.minorVersion())
                .append(" framing ").append(p.framing()).append(' ').append(p.contentLength())
                .append(" keepAlive ").append(p.keepAlive());
        for (int i = 0; i < p.headerCount(); i++) {
            sb.append(" [").append(p.headerName(i)).append("=").append(p.headerValue(i)).append(']');
        }
        return sb.toString();
    }
}

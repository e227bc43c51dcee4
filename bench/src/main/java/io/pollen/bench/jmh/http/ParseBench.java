package io.pollen.bench.jmh.http;

import io.pollen.http.codec.HttpParseException;
import io.pollen.http.codec.Limits;
import io.pollen.http.codec.RequestParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The cost of parsing one request head with Pollen's {@link RequestParser}, per head, lower is
 * better: the server's parser runs once per request, and in a pipelined plaintext run it was a
 * third of the server's cpu.
 *
 * <ul>
 *   <li>{@code wrkGet}: the head wrk sends ({@code GET /plaintext}, a Host field; 49 bytes).</li>
 *   <li>{@code browserGet}: a browser's navigation head (User-Agent, Accept, Accept-Language,
 *       Accept-Encoding, a Cookie and others; 16 fields, 765 bytes).</li>
 * </ul>
 * Each from a direct buffer (the server's read buffers are direct) and from a heap buffer. The
 * parser is reset and the buffer rewound per head; the parsed fields are consumed (the count and
 * the framing returned) so that nothing is dead code.
 *
 * <p>{@code impl}: {@code pollen} only (the parser of this checkout; {@code bench/jmh-ab.sh}
 * compares it with another commit's).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
@State(Scope.Thread)
public class ParseBench {
    static final String WRK = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
    static final String BROWSER = "GET /articles/2026/12/event-loops-on-the-jvm?ref=home&page=2 HTTP/1.1\r\n"
            + "Host: www.example.com\r\n"
            + "Connection: keep-alive\r\n"
            + "Cache-Control: max-age=0\r\n"
            + "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n"
            + "sec-ch-ua-mobile: ?0\r\n"
            + "sec-ch-ua-platform: \"Linux\"\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
            + "Sec-Fetch-Site: same-origin\r\n"
            + "Sec-Fetch-Mode: navigate\r\n"
            + "Sec-Fetch-Dest: document\r\n"
            + "Referer: https://www.example.com/\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Accept-Language: en-GB,en;q=0.9,fr;q=0.8\r\n"
            + "Cookie: session=4f9a1c2e7b3d5e6f8a9b0c1d2e3f4a5b; theme=dark; consent=yes\r\n"
            + "\r\n";

    @Param({"pollen"})
    public String impl;

    private final RequestParser parser = new RequestParser(Limits.DEFAULT);
    private ByteBuffer wrkDirect;
    private ByteBuffer wrkHeap;
    private ByteBuffer browserDirect;
    private ByteBuffer browserHeap;

    @Setup
    public void setup() throws HttpParseException {
        wrkDirect = direct(WRK);
        wrkHeap = heap(WRK);
        browserDirect = direct(BROWSER);
        browserHeap = heap(BROWSER);
        for (ByteBuffer b : new ByteBuffer[] {wrkDirect, wrkHeap, browserDirect, browserHeap}) {
            if (parse(b) == 0) { // a head that does not parse would measure the error path
                throw new IllegalStateException("the benchmark's head does not parse");
            }
        }
    }

    private static ByteBuffer direct(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    private static ByteBuffer heap(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Parses {@code in} from its start; returns the field count plus the framing's ordinal. */
    private int parse(ByteBuffer in) throws HttpParseException {
        parser.reset();
        in.rewind();
        return parser.parse(in) ? parser.headerCount() * 4 + parser.framing().ordinal() : 0;
    }

    @Benchmark
    public int wrkGetDirect() throws HttpParseException {
        return parse(wrkDirect);
    }

    @Benchmark
    public int wrkGetHeap() throws HttpParseException {
        return parse(wrkHeap);
    }

    @Benchmark
    public int browserGetDirect() throws HttpParseException {
        return parse(browserDirect);
    }

    @Benchmark
    public int browserGetHeap() throws HttpParseException {
        return parse(browserHeap);
    }
}

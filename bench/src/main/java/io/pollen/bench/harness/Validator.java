package io.pollen.bench.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Checks that a server answers what the benchmark assumes before any load is measured, so a
 * fast-but-wrong server cannot win: three pipelined {@code GET /plaintext} in one write must get
 * three complete 200 responses in order with {@code Hello, World!}, {@code Content-Length: 13},
 * {@code Content-Type}, {@code Server} and {@code Date}; an unknown path must get 404 on the
 * same kept-alive connection; the echo port must return 64 KiB of random bytes unchanged.
 */
final class Validator {

    private static final String GET = "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    private Validator() {}

    /**
     * Validates a server's HTTP and echo ports.
     *
     * @return the first 200 response with the Date value blanked, for byte comparison across servers
     * @throws IOException describing the first thing that is wrong
     */
    static String check(int httpPort, int echoPort) throws IOException {
        String normalized;
        try (Socket s = connect(httpPort)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            String req = GET.formatted("/plaintext");
            out.write((req + req + req).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String first = null;
            for (int i = 0; i < 3; i++) {
                String r = readResponse(in);
                expect(r.startsWith("HTTP/1.1 200"), "pipelined response " + (i + 1) + " is not 200: " + r);
                String lower = r.toLowerCase(Locale.ROOT);
                for (String h : new String[] {"content-length: 13\r\n", "content-type: text/plain", "\r\nserver: ", "\r\ndate: "}) {
                    expect(lower.contains(h), "response lacks '" + h.trim() + "': " + r);
                }
                expect(r.endsWith("\r\n\r\nHello, World!"), "body is not 'Hello, World!': " + r);
                if (first == null) first = r;
            }
            out.write(GET.formatted("/no-such-path").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String r = readResponse(in);
            expect(r.startsWith("HTTP/1.1 404"), "unknown path did not get 404 on a kept-alive connection: " + r);
            normalized = first.replaceAll("(?i)(\r\ndate: )[^\r]*", "$1<date>");
        }
        checkEcho(echoPort);
        return normalized;
    }

    /** Validates an echo port alone (a server that serves nothing else). */
    static void checkEcho(int echoPort) throws IOException {
        try (Socket s = connect(echoPort)) {
            byte[] data = new byte[64 * 1024];
            new Random(42).nextBytes(data);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.getOutputStream().flush();
                } catch (IOException ignored) {
                    // the reader reports the failure
                }
            });
            byte[] back = s.getInputStream().readNBytes(data.length);
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            expect(Arrays.equals(data, back), "echo returned " + back.length + " bytes that differ from the 64 KiB sent");
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    /** Reads one response with a Content-Length body (what every plaintext server sends). */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed mid-response: " + head);
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 16 * 1024) throw new IOException("response head over 16 KiB");
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) throw new IOException("body shorter than Content-Length: " + h);
        return h + new String(body, StandardCharsets.ISO_8859_1);
    }

    private static void expect(boolean ok, String what) throws IOException {
        if (!ok) throw new IOException(what);
    }
}

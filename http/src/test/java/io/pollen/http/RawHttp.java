package io.pollen.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately simple blocking HTTP/1.1 peer on a JDK socket, independent of Pollen's codec, for
 * tests that need exact control of the bytes sent (pipelining, malformed requests, trickling).
 */
final class RawHttp implements AutoCloseable {
    final Socket socket;
    private final InputStream in;

    record Reply(int status, String statusLine, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    RawHttp(InetSocketAddress address) throws IOException {
        this(connected(address));
    }

    /** Over a connected socket (an SSLSocket for HTTPS tests). */
    RawHttp(Socket connected) throws IOException {
        socket = connected;
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
    }

    private static Socket connected(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(address, 5000);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    RawHttp send(String s) throws IOException {
        socket.getOutputStream().write(s.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    RawHttp send(byte[] b) throws IOException {
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
        return this;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    /** Reads one response; {@code head} if it answers a HEAD request (no body). Null at EOF. */
    Reply read(boolean head) throws IOException {
        String status = line();
        if (status == null) {
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String l;
        while ((l = line()) != null && !l.isEmpty()) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        int code = Integer.parseInt(status.substring(9, 12));
        String cl = headers.get("content-length");
        byte[] body = new byte[0];
        if (!head && cl != null) {
            body = in.readNBytes(Integer.parseInt(cl));
        }
        return new Reply(code, status, headers, new String(body, StandardCharsets.ISO_8859_1));
    }

    Reply read() throws IOException {
        return read(false);
    }

    /** True if the server closed the connection (EOF, or a reset) within the socket timeout. */
    boolean closedByPeer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    /** Everything until EOF (bounded by the socket timeout). */
    String readAll() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // reset after the response: keep what was read
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
    }
}

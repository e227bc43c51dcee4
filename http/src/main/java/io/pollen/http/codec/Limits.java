package io.pollen.http.codec;

/**
 * Size limits applied while parsing one message. Every limit maps to the status a server answers
 * when it is exceeded:
 *
 * <ul>
 *   <li>{@code maxStartLine} — request line (method, target, version) in bytes: 414;</li>
 *   <li>{@code maxHeaderBytes} — the header section after the start line, in bytes: 431;</li>
 *   <li>{@code maxHeaderCount} — number of header fields: 431;</li>
 *   <li>{@code maxBodyBytes} — a decoded body (Content-Length or chunked): 413.</li>
 * </ul>
 */
public record Limits(int maxStartLine, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes) {

    /** 8 KiB request line, 16 KiB of headers, 100 fields, 8 MiB bodies. */
    public static final Limits DEFAULT = new Limits(8 * 1024, 16 * 1024, 100, 8L * 1024 * 1024);

    public Limits {
        if (maxStartLine < 16 || maxHeaderBytes < 16 || maxHeaderCount < 1 || maxBodyBytes < 0) {
            throw new IllegalArgumentException("limits too small: " + maxStartLine + "/" + maxHeaderBytes
                    + "/" + maxHeaderCount + "/" + maxBodyBytes);
        }
    }
}

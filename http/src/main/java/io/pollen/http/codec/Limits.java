package io.pollen.http.codec;

/**
 * Size limits applied while parsing one message. Every limit maps to the status a server answers
 * when it is exceeded:
 *
 * <ul>
 *   <li>{@code maxStartLine} — request line (method, target, version) in bytes: 414;</li>
 *   <li>{@code maxHeaderBytes} — the header section after the start line, in bytes: 431;</li>
 *   <li>{@code maxHeaderCount} — number of header fields: 431;</li>
 *   <li>{@code maxBodyBytes} — a decoded body (Content-Length or chunked): 413;</li>
 *   <li>{@code maxChunkLineBytes} — one chunk-size line of a chunked body, extensions and CRLF
 *       included: 400;</li>
 *   <li>{@code maxTrailerBytes} — the trailer section of a chunked body, its final CRLF
 *       included: 400.</li>
 * </ul>
 */
public record Limits(int maxStartLine, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes,
                     int maxChunkLineBytes, int maxTrailerBytes) {

    /** The default chunk-size line limit: 1 KiB (a size needs at most 18 bytes; the rest is extensions). */
    public static final int DEFAULT_CHUNK_LINE = 1024;
    /** The default trailer section limit: 8 KiB. */
    public static final int DEFAULT_TRAILERS = 8 * 1024;

    /** 8 KiB request line, 16 KiB of headers, 100 fields, 8 MiB bodies, 1 KiB chunk lines, 8 KiB trailers. */
    public static final Limits DEFAULT = new Limits(8 * 1024, 16 * 1024, 100, 8L * 1024 * 1024);

    public Limits {
        if (maxStartLine < 16 || maxHeaderBytes < 16 || maxHeaderCount < 1 || maxBodyBytes < 0
                || maxChunkLineBytes < 3 || maxTrailerBytes < 2) {
            throw new IllegalArgumentException("limits too small: " + maxStartLine + "/" + maxHeaderBytes
                    + "/" + maxHeaderCount + "/" + maxBodyBytes + "/" + maxChunkLineBytes + "/" + maxTrailerBytes);
        }
    }

    /** Limits with the default chunk-size line and trailer limits. */
    public Limits(int maxStartLine, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes) {
        this(maxStartLine, maxHeaderBytes, maxHeaderCount, maxBodyBytes, DEFAULT_CHUNK_LINE, DEFAULT_TRAILERS);
    }

    /** These limits with other chunked-body limits. */
    public Limits withChunked(int chunkLineBytes, int trailerBytes) {
        return new Limits(maxStartLine, maxHeaderBytes, maxHeaderCount, maxBodyBytes, chunkLineBytes, trailerBytes);
    }
}

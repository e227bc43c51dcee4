package io.pollen.cli;

import io.pollen.http.HttpClient;
import io.pollen.http.HttpHeaders;
import io.pollen.http.HttpResponse;
import io.pollen.poll.Backend;
import io.pollen.runtime.Runtime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code pollen get URL}: the chapter's task as a tool. One request with Pollen's
 * {@link HttpClient} on a one-loop runtime; prints the status line, the header fields, a blank
 * line and the body, as received.
 *
 * <p>Time limits: {@code --connect-timeout} per address, {@code --timeout} while the server is
 * silent, {@code --max-time} for the whole exchange (a response trickled a byte at a time, or an
 * endless run of 1xx responses, ends there). Every value up to {@code Long.MAX_VALUE} ms is taken
 * as given and "effectively forever" at the top, never an overflow.
 *
 * <p>Exit codes: 0 when a response arrived (any status, unless {@code --fail}), 1 when none did
 * (refused, timed out, unknown host, malformed response; stderr names it, e.g. "timed out:
 * response stalled after 120 bytes: ..."), 2 for a bad URL or option.
 */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Fetch an http:// or https:// URL with Pollen's HTTP client and print the status line, headers and body."})
final class GetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "The http:// or https:// URL to fetch.")
    String url;

    @Option(names = {"-X", "--method"}, paramLabel = "METHOD", defaultValue = "GET",
            description = "Request method (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = {"-d", "--data"}, paramLabel = "TEXT",
            description = "Send TEXT as the request body (UTF-8; the method defaults to POST).")
    String data;

    @Option(names = {"-H", "--header"}, paramLabel = "'Name: value'",
            description = "Add a request header field (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = "--connect-timeout", paramLabel = "MS", defaultValue = "5000",
            description = "Give up connecting after MS milliseconds (default: ${DEFAULT-VALUE}).")
    long connectTimeoutMillis;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "30000",
            description = "Give up when the server is silent for MS milliseconds (default: ${DEFAULT-VALUE}).")
    long timeoutMillis;

    @Option(names = "--max-time", paramLabel = "MS", defaultValue = "60000",
            description = "Give up when the whole exchange (connect, request, interim responses, body) takes "
                    + "longer than MS milliseconds (default: ${DEFAULT-VALUE}).")
    long maxTimeMillis;

    @Option(names = "--unix-socket", paramLabel = "PATH",
            description = "Connect to this Unix domain socket instead of the URL's host and port (as curl; the URL gives the Host).")
    Path unixSocket;

    @Option(names = {"-f", "--fail"}, description = "Exit with 1 when the status is 400 or more.")
    boolean fail;

    @Option(names = "--backend", paramLabel = "B",
            description = "Event-queue backend: epoll, kqueue, nio or io_uring (default: -Dpollen.backend, else the OS's best).")
    String backend;

    @Mixin
    TlsClientOptions tls;

    @Override
    public Integer call() throws Exception {
        URI uri;
        javax.net.ssl.SSLContext tlsContext;
        Backend b;
        HttpHeaders extra = HttpHeaders.EMPTY;
        try {
            uri = Target.checkHttpUrl(url);
            b = BackendOption.resolve(spec.commandLine(), backend);
            for (String h : headers) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("--header wants 'Name: value', got '" + h + "'");
                }
                extra = extra.with(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
            }
            if (unixSocket != null) {
                io.pollen.net.UnixSocketAddress.of(unixSocket);   // too long for sun_path: a usage error, naming the limit
            }
            if (connectTimeoutMillis < 1 || timeoutMillis < 1 || maxTimeMillis < 1) {
                throw new IllegalArgumentException("timeouts must be at least 1 ms");
            }
            tlsContext = tls.context();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        String m = data != null && spec.commandLine().getParseResult().hasMatchedOption("-X") ? method
                : data != null ? "POST" : method;
        byte[] body = data == null ? null : data.getBytes(StandardCharsets.UTF_8);

        HttpResponse response;
        try (Runtime runtime = Runtime.builder().backend(b).loops(1).threadNamePrefix("pollen-get").build();
             HttpClient client = client(runtime, tlsContext)) {
            var pending = client.send(m.toUpperCase(Locale.ROOT), uri, extra, body);
            try {
                // The client's own deadline fires first and says what happened; this bound only
                // stops a hang of the client itself.
                response = pending.get(Saturating.add(maxTimeMillis, 5_000), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception c ? c : e;
            } catch (TimeoutException e) {
                pending.cancel(true);
                throw new TimeoutException("the client did not finish within " + Summary.duration(
                        Duration.ofMillis(Saturating.add(maxTimeMillis, 5_000))) + " (--max-time " + maxTimeMillis + " ms)");
            }
        }
        print(response, spec.commandLine().getOut());
        return fail && response.status() >= 400 ? Pollen.FAILED : Pollen.OK;
    }

    private HttpClient client(Runtime runtime, javax.net.ssl.SSLContext tlsContext) {
        HttpClient.Builder b = HttpClient.builder(runtime)
                .connectTimeout(Duration.ofMillis(connectTimeoutMillis))
                .readTimeout(Duration.ofMillis(timeoutMillis))
                .requestTimeout(Duration.ofMillis(maxTimeMillis))
                .unixSocket(unixSocket)
                .handshakeTimeout(Duration.ofMillis(timeoutMillis));
        return (tlsContext == null ? b : b.tls(tlsContext)).build();
    }

    /** Status line, header fields as received, a blank line, the body. */
    static void print(HttpResponse r, PrintWriter out) {
        out.print(r.version() + " " + r.status() + (r.reason().isEmpty() ? "" : " " + r.reason()) + "\r\n");
        HttpHeaders h = r.headers();
        for (int i = 0; i < h.size(); i++) {
            out.print(h.name(i) + ": " + h.value(i) + "\r\n");
        }
        out.print("\r\n");
        out.print(r.bodyString());
        out.flush();
    }
}

package io.pollen.bench.servers;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Options of the TLS servers of {@code bench/tls.sh}: {@code --port P --cert FILE --key FILE
 * [--loops N]} (PEM certificate chain, unencrypted PKCS#8 key). The cipher suite and protocol are
 * not chosen here: the script sets {@code jdk.tls.server.cipherSuites} and
 * {@code jdk.tls.server.protocols} for every JVM, so Pollen and Netty negotiate the same one.
 */
record TlsOptions(int port, Path cert, Path key, int loops) {
    static TlsOptions parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got: " + String.join(" ", args));
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        for (String required : new String[]{"port", "cert", "key"}) {
            if (!m.containsKey(required)) {
                throw new IllegalArgumentException("missing --" + required);
            }
        }
        return new TlsOptions(Integer.parseInt(m.get("port")), Path.of(m.get("cert")), Path.of(m.get("key")),
                Integer.parseInt(m.getOrDefault("loops", "1")));
    }
}

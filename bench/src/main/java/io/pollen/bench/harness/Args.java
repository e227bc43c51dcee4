package io.pollen.bench.harness;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** {@code --name value} and bare {@code --flag} options, the harness's only CLI syntax. */
final class Args {

    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();

    private Args() {}

    /** Parses args; an option followed by another option (or nothing) is a flag. */
    static Args parse(String[] args) {
        Args a = new Args();
        for (int i = 0; i < args.length; i++) {
            String s = args[i];
            if (!s.startsWith("--")) throw new IllegalArgumentException("unexpected argument: " + s);
            String name = s.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                a.values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                a.values.put(name, args[++i]);
            } else {
                a.flags.add(name);
            }
        }
        return a;
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    String value(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    int intValue(String name, int dflt) {
        String v = values.get(name);
        return v == null ? dflt : Integer.parseInt(v);
    }

    double doubleValue(String name, double dflt) {
        String v = values.get(name);
        return v == null ? dflt : Double.parseDouble(v);
    }
}

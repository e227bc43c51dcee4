package io.pollen.sys;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers of DESIGN.md, checked on the sources: dependencies point down only
 * (sys.unix, sys.linux, poll, net, runtime), so that e.g. sys.unix never imports sys.linux again.
 */
class LayeringTest {
    /** Lowest first; a package may import its own layer and the ones before it. */
    private static final List<String> LAYERS = List.of(
            "io.pollen.sys.unix", "io.pollen.sys.linux", "io.pollen.poll", "io.pollen.net", "io.pollen.runtime");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(io\\.pollen\\.[\\w.]+)", Pattern.MULTILINE);

    @Test
    void everyImportPointsToTheSameOrALowerLayer() throws IOException {
        Path root = Path.of("src/main/java");
        assertTrue(Files.isDirectory(root), "run from the core module: " + Path.of("").toAbsolutePath());
        List<String> upward = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(f.getParent()).toString().replace('/', '.');
                int own = layer(pkg);
                if (own < 0) {
                    continue;
                }
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    int target = layer(m.group(1));
                    if (target > own) {
                        upward.add(root.relativize(f) + " imports " + m.group(1));
                    }
                }
            }
        }
        assertEquals(List.of(), upward, "imports that point up a layer");
    }

    /** The index of the layer {@code name} (a package or a class in it) belongs to, or -1. */
    private static int layer(String name) {
        for (int i = LAYERS.size() - 1; i >= 0; i--) {
            if (name.equals(LAYERS.get(i)) || name.startsWith(LAYERS.get(i) + ".")) {
                return i;
            }
        }
        return -1;
    }
}

package io.pollen.poll;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library jar is a named module exporting only its public API packages: internal packages
 * (backends, bindings, SPIs, socket flavors) stay hidden. Read from the compiled module-info.
 */
class ModuleDescriptorTest {
    static final Set<String> PUBLIC_API = Set.of("io.pollen.sys", "io.pollen.poll", "io.pollen.net", "io.pollen.runtime",
            "io.pollen.tls");

    @Test
    void onlyThePublicApiPackagesAreExported() {
        Path classes = Path.of("target", "classes");
        assertTrue(Files.isRegularFile(classes.resolve("module-info.class")), "no module-info.class in " + classes.toAbsolutePath());
        ModuleDescriptor module = ModuleFinder.of(classes).find("io.pollen")
                .orElseThrow(() -> new AssertionError("module io.pollen not found in " + classes.toAbsolutePath()))
                .descriptor();

        Set<String> exported = new TreeSet<>();
        for (ModuleDescriptor.Exports e : module.exports()) {
            assertTrue(!e.isQualified(), "qualified export " + e);
            exported.add(e.source());
        }
        assertTrue(PUBLIC_API.containsAll(exported), "exports beyond the public API: " + exported);
        assertTrue(exported.containsAll(Set.of("io.pollen.sys", "io.pollen.poll", "io.pollen.net")), exported.toString());
        // io.pollen.runtime is exported as soon as it has a public type.
        if (module.packages().contains("io.pollen.runtime") && Files.exists(classes.resolve("io/pollen/runtime/Runtime.class"))) {
            assertTrue(exported.contains("io.pollen.runtime"), "io.pollen.runtime has public types but is not exported");
        }
        assertTrue(module.opens().isEmpty(), "no package is opened for reflection: " + module.opens());

        Set<String> hidden = module.packages().stream().filter(p -> !exported.contains(p))
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(hidden.contains("io.pollen.poll.spi") && hidden.contains("io.pollen.net.nio"), hidden.toString());
        assertEquals(exported.size() + hidden.size(), module.packages().size());
    }
}

package io.pollen.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code bin/pollen}: finds a JDK 25+, refuses older ones with a clear message, says how to build a
 * missing jar, and passes arguments and exit codes through. The jar it runs here is a manifest-only
 * jar over this test's class path (the real one is built after the tests, at package time).
 */
@Timeout(60)
class LauncherTest {
    static final Path LAUNCHER = Path.of("..", "bin", "pollen").toAbsolutePath().normalize();
    static final String JDK25 = System.getProperty("java.home");
    static final String JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64";

    @Test
    void skipsAnOldJavaHomeAndRunsOnAJdk25(@TempDir Path dir) throws Exception {
        assumeTrue(new File(JDK17, "bin/java").canExecute(), "no JDK 17 here to be skipped");
        Result r = launch(Map.of("JAVA_HOME", JDK17, "POLLEN_JAR", testJar(dir).toString(),
                "POLLEN_JVM_DIRS", Path.of(JDK25).getParent() + "/*/"), "--version");
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.startsWith("pollen ") && r.out.contains(" on Java 25"), r.toString());
    }

    @Test
    void passesArgumentsAndExitCodesThrough(@TempDir Path dir) throws Exception {
        Result r = launch(Map.of("JAVA_HOME", JDK25, "POLLEN_JAR", testJar(dir).toString()), "demo", "--tasks", "0");
        assertEquals(Pollen.USAGE, r.code, r.toString());
        assertTrue(r.err.contains("--tasks must be between 1 and 1000000: 0"), r.toString());
    }

    @Test
    void noJdk25IsAClearError() throws Exception {
        Result r = launch(Map.of("JAVA_HOME", JDK17, "POLLEN_JVM_DIRS", "/nonexistent/*/", "PATH", "/usr/bin:/bin"),
                "--version");
        assertEquals(127, r.code, r.toString());
        assertTrue(r.err.contains("needs a JDK 25 or newer"), r.toString());
        assertTrue(r.err.contains("JAVA_HOME (" + JDK17 + ")"), r.toString());
    }

    @Test
    void aMissingJarSaysHowToBuildIt() throws Exception {
        Result r = launch(Map.of("JAVA_HOME", JDK25, "POLLEN_JAR", "/nonexistent/pollen.jar"), "demo");
        assertEquals(126, r.code, r.toString());
        assertTrue(r.err.contains("is not built yet") && r.err.contains("mvn -q -pl cli -am package -DskipTests"),
                r.toString());
    }

    @Test
    void usesTheJarsAotCacheOnlyWhileItIsNewerThanTheJar(@TempDir Path dir) throws Exception {
        Path jar = testJar(dir);
        Path cache = dir.resolve("pollen-test.aot");
        // Not a real cache: the JVM says it cannot map it (-Xlog:aot=info turns its log back on),
        // which shows that bin/pollen passed it; then runs without it.
        Files.writeString(cache, "not an AOT cache");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Map<String, String> env = Map.of("JAVA_HOME", JDK25, "POLLEN_JAR", jar.toString(),
                "POLLEN_JAVA_OPTS", "-Xlog:aot=info");
        Result fresh = launch(env, "--version");
        assertEquals(0, fresh.code, fresh.toString());
        assertTrue(fresh.out.contains(cache.toString()), "the cache was passed to the JVM: " + fresh);

        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        Result stale = launch(env, "--version");
        assertEquals(0, stale.code, stale.toString());
        assertFalse(stale.out.contains(cache.toString()), "a cache older than the jar is not passed: " + stale);

        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Map<String, String> off = new java.util.HashMap<>(env);
        off.put("POLLEN_AOT", "off");
        Result disabled = launch(off, "--version");
        assertFalse(disabled.out.contains(cache.toString()), "POLLEN_AOT=off: no cache: " + disabled);
    }

    @Test
    void aCacheTheJvmCannotUseIsIgnoredQuietly(@TempDir Path dir) throws Exception {
        Path jar = testJar(dir);
        Files.writeString(dir.resolve("pollen-test.aot"), "made by another JDK, say");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Result r = launch(Map.of("JAVA_HOME", JDK25, "POLLEN_JAR", jar.toString()), "--version");
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.startsWith("pollen ") && r.err.isEmpty(), "nothing but pollen's own output: " + r);
    }

    @Test
    void shortClientJobsRunOnC1AndLongRunningOnesKeepC2(@TempDir Path dir) throws Exception {
        Path jar = testJar(dir);
        Map<String, String> env = Map.of("JAVA_HOME", JDK25, "POLLEN_JAR", jar.toString(),
                "POLLEN_JAVA_OPTS", "-XX:+PrintFlagsFinal");
        assertEquals(1, tieredStopAtLevel(launch(env, "demo", "--help")));
        assertEquals(1, tieredStopAtLevel(launch(env, "get", "--help")));
        assertEquals(4, tieredStopAtLevel(launch(env, "serve", "--help")));
        assertEquals(4, tieredStopAtLevel(launch(env, "bench", "--help")));
        assertEquals(4, tieredStopAtLevel(launch(env, "--version")));
        // The user's options come later on the command line, so they win.
        Map<String, String> c2 = Map.of("JAVA_HOME", JDK25, "POLLEN_JAR", jar.toString(),
                "POLLEN_JAVA_OPTS", "-XX:TieredStopAtLevel=4 -XX:+PrintFlagsFinal");
        assertEquals(4, tieredStopAtLevel(launch(c2, "demo", "--help")));
    }

    /** The JVM's TieredStopAtLevel, from its -XX:+PrintFlagsFinal table. */
    private static int tieredStopAtLevel(Result r) {
        assertEquals(0, r.code, r.toString());
        return r.out.lines()
                .filter(l -> l.contains(" TieredStopAtLevel "))
                .map(l -> Integer.parseInt(l.replaceAll(".*= *(\\d+).*", "$1")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no TieredStopAtLevel in " + r));
    }

    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static Result launch(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("POLLEN_JAVA_OPTS");
        pb.environment().putAll(env);
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            int code = p.waitFor();
            return new Result(code, Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A jar whose manifest runs {@link Pollen} with this test's class path. */
    private static Path testJar(Path dir) throws IOException {
        StringBuilder cp = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                cp.append(new File(entry).toURI()).append(' ');
            }
        }
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Pollen.class.getName());
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, cp.toString().trim());
        Path jar = dir.resolve("pollen-test.jar");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(os, m)) {
            // the manifest is the whole jar
        }
        return jar;
    }
}

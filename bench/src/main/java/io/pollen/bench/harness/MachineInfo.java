package io.pollen.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the reports say about the machine and the run: cpus, memory, kernel, JDK, tools, date. The
 * harness, the JMH report and the scale run all describe the machine with it.
 */
public final class MachineInfo {

    private MachineInfo() {}

    static Map<String, String> detect(String command) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        m.put("command", command);
        m.put("nproc", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("cpu_model", cpuModel());
        m.put("memory", memory());
        m.put("kernel", read("/proc/sys/kernel/osrelease"));
        m.put("jdk", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"));
        m.put("wrk", firstLine(List.of("wrk", "-v")));
        m.put("gcc", firstLine(List.of("gcc", "--version")));
        m.put("git_commit", gitCommit());
        m.put("loadavg_start", loadAverage());
        return m;
    }

    /** The short hash of the checked-out commit, or "unknown" outside a git checkout. */
    public static String gitCommit() {
        return firstLine(List.of("git", "rev-parse", "--short", "HEAD"));
    }

    /** The CPU's model name from /proc/cpuinfo; the architecture where there is none. */
    public static String cpuModel() {
        String model = grep("/proc/cpuinfo", "model name");
        return model.startsWith("unknown") ? System.getProperty("os.arch") : model;
    }

    /** The first three fields of /proc/loadavg: other work on the machine during the run. */
    public static String loadAverage() {
        String s = read("/proc/loadavg");
        String[] f = s.split(" ");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : s;
    }

    private static String memory() {
        String kb = grep("/proc/meminfo", "MemTotal").replaceAll("[^0-9]", "");
        return kb.isEmpty() ? "unknown" : String.format(java.util.Locale.ROOT, "%.1f GiB", Long.parseLong(kb) / 1048576.0);
    }

    /** The one-minute load average, or -1 if unknown. */
    static double loadAverage1() {
        try {
            return Double.parseDouble(read("/proc/loadavg").split(" ")[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String grep(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(key)) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return "unknown";
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** First non-empty output line of a command (stdout and stderr), or "unknown". */
    private static String firstLine(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) return line.trim();
            }
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "unknown";
    }
}

package io.pollen.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Draws the report's chart as a hand-written SVG: one panel per scenario, one horizontal bar
 * per server (the median), scaled to the panel's largest value and labelled with the number.
 * Pollen's bars are orange, the C reference grey, the other servers blue. No external tools.
 */
final class SvgChart {

    private static final int WIDTH = 1000;
    private static final int COLUMN = WIDTH / 2;
    private static final int LABEL = 120;
    private static final int BAR_MAX = COLUMN - LABEL - 90;
    private static final int BAR_H = 16;
    private static final int ROW = 20;
    private static final int TITLE = 34;

    private SvgChart() {}

    static String render(Results r, List<ServerCatalog.Spec> specs, Map<String, String> machine) {
        List<Report.Scenario> panels = new ArrayList<>(Report.SCENARIOS);
        // Cost panels: the same 1-loop runs per second of server cpu.
        for (Report.Scenario sc : Report.SCENARIOS.subList(0, 4)) {
            panels.add(new Report.Scenario(sc.id(), sc.title(), "per_cpu", sc.unit() + " per server cpu-second",
                    sc.chart() + ", per server cpu-s"));
        }
        List<Report.Scenario> shown = new ArrayList<>();
        for (Report.Scenario sc : panels) {
            if (specs.stream().anyMatch(s -> r.median(s.name(), sc.id(), sc.metric()).isPresent())) shown.add(sc);
        }
        int panelH = TITLE + specs.size() * ROW + 12;
        int rows = (shown.size() + 1) / 2;
        int height = 60 + rows * panelH + 30;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">\n", WIDTH, height, WIDTH, height));
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(b, 12, 24, 16, "bold", "Pollen against the field (medians; higher is better except KiB/conn)");
        text(b, 12, 44, 11, "normal", machine.get("nproc") + " cpus " + machine.get("cpu_model") + ", Linux "
                + machine.get("kernel") + ", " + machine.get("jdk") + ", " + machine.get("date"));
        for (int i = 0; i < shown.size(); i++) {
            int x = (i % 2) * COLUMN;
            int y = 60 + (i / 2) * panelH;
            panel(b, r, specs, shown.get(i), x, y);
        }
        text(b, 12, height - 10, 10, "normal", "orange: Pollen, grey: C epoll reference, blue: others. Command: "
                + machine.get("command"));
        return b.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder b, Results r, List<ServerCatalog.Spec> specs, Report.Scenario sc, int x, int y) {
        text(b, x + 12, y + 16, 12, "bold", sc.chart());
        text(b, x + 12, y + 29, 10, "normal", sc.unit());
        double max = 0;
        for (ServerCatalog.Spec s : specs) max = Math.max(max, r.median(s.name(), sc.id(), sc.metric()).orElse(0));
        int row = 0;
        for (ServerCatalog.Spec s : specs) {
            int ry = y + TITLE + row++ * ROW;
            text(b, x + 12, ry + 12, 11, "normal", s.name());
            OptionalDouble v = r.median(s.name(), sc.id(), sc.metric());
            if (v.isEmpty()) {
                String st = r.status.getOrDefault(s.name(), "");
                text(b, x + LABEL, ry + 12, 10, "normal",
                        st.startsWith("missing") ? "missing (not built yet)" : st.startsWith("ok") ? "–" : st.split(":")[0]);
                continue;
            }
            int w = max > 0 ? (int) Math.max(1, Math.round(v.getAsDouble() / max * BAR_MAX)) : 1;
            String colour = s.isPollen() ? "#e8891c" : s.isNative() ? "#8c8c8c" : "#3b73b9";
            b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
                    x + LABEL, ry, w, BAR_H, colour));
            text(b, x + LABEL + w + 4, ry + 12, 10, "normal", Report.big(v.getAsDouble()));
        }
    }

    private static void text(StringBuilder b, int x, int y, int size, String weight, String s) {
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\">%s</text>\n",
                x, y, size, weight, escape(s)));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

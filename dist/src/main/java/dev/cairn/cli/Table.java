package dev.cairn.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Aligned columns as Consul's CLI prints them. Each column but the last is padded to its widest
 * cell plus {@code gap} spaces: gap 2 is {@code columnize.SimpleFormat} (catalog nodes, members),
 * gap 6 is the {@code tabwriter} with padding 6 of {@code catalog services -tags}. Unlike Consul,
 * trailing spaces (an empty last cell) are dropped.
 */
final class Table {

    static final int COLUMNIZE = 2;
    static final int TABWRITER = 6;

    private final int gap;
    private final List<String[]> rows = new ArrayList<>();

    Table(int gap) {
        this.gap = gap;
    }

    Table row(String... cells) {
        rows.add(cells);
        return this;
    }

    /** The lines, without newlines. */
    List<String> lines() {
        int columns = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] widths = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < r.length - 1; i++) {
                widths[i] = Math.max(widths[i], width(r[i]));
            }
        }
        List<String> out = new ArrayList<>(rows.size());
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]);
                if (i < r.length - 1) {
                    line.append(" ".repeat(widths[i] - width(r[i]) + gap));
                }
            }
            out.add(line.toString().stripTrailing());
        }
        return out;
    }

    void print(Io io) {
        lines().forEach(io::println);
    }

    /** Go counts runes, so a name with accents is as wide as it looks. */
    private static int width(String s) {
        return s.codePointCount(0, s.length());
    }
}

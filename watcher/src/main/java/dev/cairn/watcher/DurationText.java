package dev.cairn.watcher;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Go's duration syntax ({@code 250ms}, {@code 2s}, {@code 1m30s}, {@code 1.5h}), which consul-template
 * configs and Consul's {@code wait} parameter use. The store has its own parser; the watcher does not
 * depend on the store, so it keeps this small copy.
 */
final class DurationText {

    private DurationText() {
    }

    /**
     * Parses a non-negative duration; {@code "0"} needs no unit.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration (use e.g. 30s)");
        }
        String s = text.strip();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.startsWith("-")) {
            throw new IllegalArgumentException("\"" + text + "\" is negative");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            if (start == unitStart) {
                throw bad(text);
            }
            BigDecimal number;
            try {
                number = new BigDecimal(s.substring(start, unitStart));
            } catch (NumberFormatException e) {
                throw bad(text);
            }
            nanos = nanos.add(number.multiply(BigDecimal.valueOf(unitNanos(s.substring(unitStart, i), text))));
        }
        return Duration.ofNanos(nanos.longValue());
    }

    private static long unitNanos(String unit, String text) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "" -> throw new IllegalArgumentException("\"" + text + "\" has no unit (use e.g. 30s or 250ms)");
            default -> throw new IllegalArgumentException("\"" + text + "\" has an unknown unit \"" + unit
                    + "\" (use ns, us, ms, s, m or h)");
        };
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("\"" + text + "\" is not a duration (use e.g. 30s, 250ms or 1m30s)");
    }

    /** {@code 2s}, {@code 250ms}, {@code 1m30s}: for messages. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0 && !d.isZero()) {
            return d.toNanos() + "ns";
        }
        if (ms < 1000) {
            return ms == 0 ? "0s" : ms + "ms";
        }
        StringBuilder b = new StringBuilder();
        if (d.toHours() > 0) {
            b.append(d.toHours()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            b.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0 || d.toMillisPart() > 0) {
            b.append(d.toSecondsPart());
            if (d.toMillisPart() > 0) {
                b.append('.').append(String.format("%03d", d.toMillisPart()).replaceAll("0+$", ""));
            }
            b.append('s');
        }
        return b.toString();
    }
}

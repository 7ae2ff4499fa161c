package dev.cairn.store.http;

import java.time.Duration;

/**
 * Parses Go duration strings ({@code 10s}, {@code 60000ms}, {@code 1m30s}, {@code 1.5h}), the form
 * Consul and its clients use for {@code wait}, TTLs and intervals.
 */
public final class GoDuration {

    private GoDuration() {
    }

    /** Returns the duration, or throws IllegalArgumentException naming the bad text. */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        String s = text;
        boolean negative = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        double nanos = 0;
        int i = 0;
        if (s.isEmpty()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\"");
        }
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("invalid duration \"" + text + "\"");
            }
            double number;
            try {
                number = Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid duration \"" + text + "\"");
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            nanos += number * unitNanos(s.substring(unitStart, i), text);
        }
        long n = (long) nanos;
        return Duration.ofNanos(negative ? -n : n);
    }

    private static double unitNanos(String unit, String text) {
        return switch (unit) {
            case "ns" -> 1;
            case "us", "µs", "μs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            case "" -> throw new IllegalArgumentException("missing unit in duration \"" + text + "\"");
            default -> throw new IllegalArgumentException("unknown unit \"" + unit + "\" in duration \"" + text + "\"");
        };
    }

    /** Formats like Go's Duration.String() for the common cases: 10s, 1m30s, 250ms. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 1000 != 0 && ms < 1000) {
            return ms + "ms";
        }
        StringBuilder b = new StringBuilder();
        long h = d.toHours();
        long m = d.toMinutesPart();
        if (h > 0) {
            b.append(h).append('h');
        }
        if (h > 0 || m > 0) {
            b.append(m).append('m');
        }
        long sMillis = d.toSecondsPart() * 1000L + d.toMillisPart();
        if (sMillis % 1000 == 0) {
            b.append(sMillis / 1000).append('s');
        } else {
            b.append(sMillis / 1000.0).append('s');
        }
        return b.toString();
    }
}

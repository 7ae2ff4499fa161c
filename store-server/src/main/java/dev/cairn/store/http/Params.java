package dev.cairn.store.http;

import java.util.Deque;
import java.util.Map;

/** Query-string helpers that follow Consul's rules for flags and numbers. */
public final class Params {

    private Params() {
    }

    public static String first(Map<String, Deque<String>> q, String name) {
        Deque<String> values = q.get(name);
        return values == null || values.isEmpty() ? null : values.peekFirst();
    }

    /** Presence-only flags ({@code recurse}, {@code keys}, {@code raw}, ...): any value counts. */
    public static boolean flag(Map<String, Deque<String>> q, String name) {
        return q.containsKey(name);
    }

    /** An unsigned 64-bit number; a missing or empty value gives {@code absent}. */
    public static long unsigned(Map<String, Deque<String>> q, String name, long absent) {
        String v = first(q, name);
        if (v == null || v.isEmpty()) {
            return absent;
        }
        try {
            return Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("Invalid " + name + " \"" + v + "\": not an unsigned integer");
        }
    }
}

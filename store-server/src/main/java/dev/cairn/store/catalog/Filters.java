package dev.cairn.store.catalog;

import dev.cairn.store.http.ApiException;

import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The catalog and health filters: repeatable {@code tag}, {@code node-meta=k:v}, and {@code passing}. */
final class Filters {

    private Filters() {
    }

    static List<String> tags(Map<String, Deque<String>> q) {
        Deque<String> tags = q.get("tag");
        return tags == null ? List.of() : new ArrayList<>(tags);
    }

    static Map<String, String> nodeMeta(Map<String, Deque<String>> q) {
        Map<String, String> out = new LinkedHashMap<>();
        Deque<String> values = q.get("node-meta");
        if (values != null) {
            for (String v : values) {
                int colon = v.indexOf(':');
                if (colon < 0) {
                    throw ApiException.badRequest("Invalid node-meta \"" + v + "\": expected key:value");
                }
                out.put(v.substring(0, colon), v.substring(colon + 1));
            }
        }
        return out;
    }

    /**
     * {@code passing} is a real boolean in Consul (strconv.ParseBool, empty means true): Ecwid and
     * Spring always send {@code passing=false}, which must NOT filter.
     */
    static boolean passing(Map<String, Deque<String>> q) {
        Deque<String> v = q.get("passing");
        if (v == null) {
            return false;
        }
        return goBool("passing", v.peekFirst());
    }

    static boolean goBool(String name, String s) {
        if (s == null || s.isEmpty()) {
            return true;
        }
        return switch (s) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw ApiException.badRequest("Invalid value for ?" + name + ": \"" + s + "\" is not a boolean");
        };
    }

    static boolean hasTags(ServiceInstance s, List<String> tags) {
        return s.tags().containsAll(tags);
    }

    static boolean hasMeta(Node n, Map<String, String> meta) {
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (!e.getValue().equals(n.meta().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}

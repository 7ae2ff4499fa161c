package dev.cairn.store.catalog;

import java.util.List;
import java.util.Map;

/**
 * How a check runs: at most one of {@code http}, {@code tcp}, {@code args} (script) or {@code ttl}
 * is set; none means a check whose status only API calls change. Durations are Go duration
 * strings as given, already validated. Stored with the check so that any server (also after a
 * restart) knows how to run the checks registered through it.
 */
public record CheckDefinition(String http, String method, Map<String, List<String>> header, String body,
                              boolean tlsSkipVerify, String tcp, List<String> args, String interval,
                              String timeout, String ttl, String deregisterCriticalServiceAfter) {

    public static final CheckDefinition NONE = new CheckDefinition("", "", Map.of(), "", false, "", List.of(),
            "", "", "", "");

    public CheckDefinition {
        http = nz(http);
        method = nz(method);
        header = header == null ? Map.of() : Map.copyOf(header);
        body = nz(body);
        tcp = nz(tcp);
        args = args == null ? List.of() : List.copyOf(args);
        interval = nz(interval);
        timeout = nz(timeout);
        ttl = nz(ttl);
        deregisterCriticalServiceAfter = nz(deregisterCriticalServiceAfter);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** Consul's check Type: ttl, http, tcp, script, or "" for a check set only through the API. */
    public String type() {
        if (!ttl.isEmpty()) {
            return "ttl";
        }
        if (!http.isEmpty()) {
            return "http";
        }
        if (!tcp.isEmpty()) {
            return "tcp";
        }
        if (!args.isEmpty()) {
            return "script";
        }
        return "";
    }
}

package dev.cairn.registrator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.client.CairnClient;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One service the registrator keeps registered for a container's port: the body of
 * {@code PUT /v1/agent/service/register}. Equal registrations mean nothing to change.
 */
public record Registration(String id, String name, String address, int port, List<String> tags,
                           Map<String, String> meta, List<Check> checks) {

    public Registration {
        tags = List.copyOf(tags);
        meta = Map.copyOf(new TreeMap<>(meta));
        checks = List.copyOf(checks);
    }

    /** A check definition, in Consul's field names; null fields are left out. */
    public record Check(String checkId, String name, String http, String method, boolean tlsSkipVerify, String tcp,
                        List<String> args, String ttl, String interval, String timeout, String deregisterAfter,
                        String status) {

        ObjectNode toJson() {
            ObjectNode c = CairnClient.JSON.createObjectNode();
            put(c, "CheckID", checkId);
            put(c, "Name", name);
            put(c, "HTTP", http);
            put(c, "Method", method);
            if (tlsSkipVerify) {
                c.put("TLSSkipVerify", true);
            }
            put(c, "TCP", tcp);
            if (args != null) {
                args.forEach(c.putArray("Args")::add);
            }
            put(c, "TTL", ttl);
            put(c, "Interval", interval);
            put(c, "Timeout", timeout);
            put(c, "DeregisterCriticalServiceAfter", deregisterAfter);
            put(c, "Status", status);
            return c;
        }
    }

    public ObjectNode toJson() {
        ObjectNode s = CairnClient.JSON.createObjectNode();
        s.put("ID", id);
        s.put("Name", name);
        s.put("Address", address);
        s.put("Port", port);
        tags.forEach(s.putArray("Tags")::add);
        ObjectNode m = s.putObject("Meta");
        meta.forEach(m::put);
        if (!checks.isEmpty()) {
            checks.forEach(c -> s.withArray("Checks").add(c.toJson()));
        }
        return s;
    }

    private static void put(ObjectNode o, String field, String value) {
        if (value != null && !value.isEmpty()) {
            o.put(field, value);
        }
    }
}

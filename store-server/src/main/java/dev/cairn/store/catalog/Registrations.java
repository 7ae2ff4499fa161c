package dev.cairn.store.catalog;

import dev.cairn.store.http.ApiException;
import dev.cairn.store.http.GoDuration;
import dev.cairn.store.http.RequestJson;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns register request bodies (catalog and agent) into commands, validating everything first so
 * that a bad registration is refused whole with a 400 naming the problem, never half-applied.
 */
public final class Registrations {

    private Registrations() {
    }

    /** {@code PUT /v1/catalog/register}. Checks registered this way are stored, never run. */
    static CatalogCommand.Register catalogRegister(RequestJson req, String datacenter) {
        String nodeName = req.text("Node");
        if (nodeName.isEmpty()) {
            throw ApiException.badRequest("Missing node name");
        }
        String address = req.text("Address");
        if (address.isEmpty()) {
            throw ApiException.badRequest("Missing node address");
        }
        String dc = req.text("Datacenter");
        if (!dc.isEmpty() && !dc.equals(datacenter)) {
            throw ApiException.badRequest("No path to datacenter \"" + dc + "\"");
        }
        Node node = new Node(req.text("ID"), nodeName, address, datacenter, req.stringMap("TaggedAddresses"),
                req.stringMap("NodeMeta"), 0, 0);
        ServiceInstance svc = null;
        RequestJson s = req.object("Service");
        if (s != null) {
            svc = service(s, "Service", nodeName);
        }
        List<HealthCheck> checks = new ArrayList<>();
        List<RequestJson> checkBodies = new ArrayList<>(req.objects("Checks"));
        RequestJson single = req.object("Check");
        if (single != null) {
            checkBodies.add(0, single);
        }
        for (RequestJson c : checkBodies) {
            String name = c.text("Name");
            String id = c.text("CheckID", "ID");
            if (id.isEmpty()) {
                id = name;
            }
            if (id.isEmpty()) {
                throw ApiException.badRequest("Missing check name");
            }
            checks.add(new HealthCheck(nodeName, id, name, status(c, HealthCheck.CRITICAL), c.text("Notes"),
                    c.text("Output"), c.text("ServiceID"), "", List.of(), CheckDefinition.NONE, 0, 0));
        }
        return new CatalogCommand.Register(node, svc, checks, req.bool("SkipNodeUpdate"), false);
    }

    /** {@code PUT /v1/agent/service/register}: the service and its checks on this server's node. */
    public static CatalogCommand.Register agentService(RequestJson req, Node self, boolean replaceChecks,
                                                       boolean scriptsAllowed) {
        ServiceInstance svc = service(req, "Name", self.name());
        List<RequestJson> bodies = new ArrayList<>();
        RequestJson single = req.object("Check");
        if (single != null) {
            bodies.add(single);
        }
        bodies.addAll(req.objects("Checks"));
        List<HealthCheck> checks = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            RequestJson c = bodies.get(i);
            String id = c.text("CheckID", "ID");
            if (id.isEmpty()) {
                id = "service:" + svc.id() + (bodies.size() > 1 ? ":" + (i + 1) : "");
            }
            String name = c.text("Name");
            if (name.isEmpty()) {
                name = "Service '" + svc.service() + "' check";
            }
            checks.add(new HealthCheck(self.name(), id, name, status(c, HealthCheck.UNCHANGED), c.text("Notes"), "",
                    svc.id(), svc.service(), svc.tags(), definition(c, scriptsAllowed), 0, 0));
        }
        return new CatalogCommand.Register(self, svc, checks, true, replaceChecks);
    }

    /** {@code PUT /v1/agent/check/register}. */
    public static CatalogCommand.Register agentCheck(RequestJson req, Node self, boolean scriptsAllowed) {
        String name = req.text("Name");
        if (name.isEmpty()) {
            throw ApiException.badRequest("Missing check name");
        }
        String id = req.text("CheckID", "ID");
        if (id.isEmpty()) {
            id = name;
        }
        HealthCheck check = new HealthCheck(self.name(), id, name, status(req, HealthCheck.UNCHANGED),
                req.text("Notes"), "", req.text("ServiceID"), "", List.of(), definition(req, scriptsAllowed), 0, 0);
        return new CatalogCommand.Register(self, null, List.of(check), true, false);
    }

    private static String status(RequestJson c, String dflt) {
        String status = c.text("Status");
        if (status.isEmpty()) {
            return dflt;
        }
        if (!HealthCheck.validStatus(status)) {
            throw ApiException.badRequest("Invalid check status: '" + status + "'");
        }
        return status;
    }

    private static ServiceInstance service(RequestJson s, String nameField, String node) {
        String name = s.text(nameField);
        if (name.isEmpty()) {
            throw ApiException.badRequest("Missing service name");
        }
        String id = s.text("ID");
        if (id.isEmpty()) {
            id = name;
        }
        Map<String, ServiceInstance.TaggedAddress> tagged = new LinkedHashMap<>();
        RequestJson ta = s.object("TaggedAddresses");
        if (ta != null) {
            for (String key : taggedKeys(s)) {
                RequestJson a = ta.object(key);
                tagged.put(key, new ServiceInstance.TaggedAddress(a.text("Address"), a.port("Port")));
            }
        }
        ServiceInstance.Weights weights = ServiceInstance.Weights.DEFAULT;
        RequestJson w = s.object("Weights");
        if (w != null) {
            weights = new ServiceInstance.Weights(w.integer("Passing", 1), w.integer("Warning", 1));
            if (weights.passing() < 1) {
                throw ApiException.badRequest("Passing must be greater than 0");
            }
        }
        return new ServiceInstance(node, id, name, s.strings("Tags"), s.text("Address"), tagged, s.stringMap("Meta"),
                s.port("Port"), weights, s.bool("EnableTagOverride"), s.text("Kind"), 0, 0);
    }

    private static List<String> taggedKeys(RequestJson s) {
        // field names of the TaggedAddresses object, case preserved
        return new ArrayList<>(s.stringKeys("TaggedAddresses"));
    }

    /**
     * A runnable check definition, validated: exactly one kind, an interval where one is needed,
     * and a script only where the server allows scripts.
     */
    static CheckDefinition definition(RequestJson c, boolean scriptsAllowed) {
        if (c.has("GRPC")) {
            throw ApiException.badRequest("Invalid check: gRPC checks are not supported; use HTTP, TCP, Args or TTL");
        }
        if (c.has("DockerContainerID")) {
            throw ApiException.badRequest("Invalid check: Docker checks are not supported; use HTTP, TCP, Args or TTL");
        }
        if (c.has("AliasService", "AliasNode")) {
            throw ApiException.badRequest("Invalid check: alias checks are not supported; use HTTP, TCP, Args or TTL");
        }
        List<String> args = c.strings("Args", "ScriptArgs");
        if (args.isEmpty() && !c.text("Script").isEmpty()) {
            args = List.of("/bin/sh", "-c", c.text("Script"));
        }
        if (!args.isEmpty() && !scriptsAllowed) {
            // anyone who can reach the API could otherwise run commands on this server (Consul's
            // enable_script_checks is off by default for the same reason; same message)
            throw ApiException.badRequest("Scripts are disabled on this agent; to enable, configure "
                    + "'enable_script_checks' to true (server flag -enable-script-checks)");
        }
        String http = c.text("HTTP");
        String tcp = c.text("TCP");
        Duration ttl = c.duration("TTL");
        int kinds = (http.isEmpty() ? 0 : 1) + (tcp.isEmpty() ? 0 : 1) + (args.isEmpty() ? 0 : 1) + (ttl == null ? 0 : 1);
        if (kinds == 0) {
            throw ApiException.badRequest("Invalid check: one of HTTP, TCP, Args (a script) or TTL is required");
        }
        if (kinds > 1) {
            throw ApiException.badRequest("Invalid check: set only one of HTTP, TCP, Args or TTL");
        }
        Duration interval = c.duration("Interval");
        Duration timeout = c.duration("Timeout");
        Duration deregister = c.duration("DeregisterCriticalServiceAfter");
        if (ttl != null && ttl.compareTo(Duration.ZERO) <= 0) {
            throw ApiException.badRequest("Invalid check: TTL must be > 0 for TTL checks");
        }
        if (ttl == null && (interval == null || interval.compareTo(Duration.ZERO) <= 0)) {
            throw ApiException.badRequest("Invalid check: Interval must be > 0 for Script, HTTP, or TCP checks");
        }
        if (timeout != null && timeout.compareTo(Duration.ZERO) < 0) {
            throw ApiException.badRequest("Invalid check: Timeout must not be negative");
        }
        if (!http.isEmpty()) {
            try {
                URI u = URI.create(http);
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("Invalid check: HTTP \"" + http + "\" is not an http(s) URL");
            }
        }
        if (!tcp.isEmpty() && !tcp.matches(".+:\\d{1,5}")) {
            throw ApiException.badRequest("Invalid check: TCP \"" + tcp + "\" must be host:port");
        }
        return new CheckDefinition(http, c.text("Method"), c.stringListMap("Header"), c.text("Body"),
                c.bool("TLSSkipVerify"), tcp, args, fmt(interval), fmt(timeout), fmt(ttl), fmt(deregister));
    }

    private static String fmt(Duration d) {
        return d == null ? "" : GoDuration.format(d);
    }
}

package dev.cairn.watcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.template.CatalogNode;
import dev.cairn.template.CatalogService;
import dev.cairn.template.KvEntry;
import dev.cairn.template.NodeDetail;
import dev.cairn.template.ServiceInstance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Consul's JSON answers (CONSUL-API.md §3, §6, §7) turned into the template engine's records. The
 * engine filters and sorts, so this only maps fields, applying the rules Consul's own clients
 * apply: KV values are base64 (or {@code null} for empty), a service registered without an address
 * is reached at its node's, and an instance's status is Go's {@code AggregatedStatus} of its checks.
 */
final class ConsulJson {

    static final ObjectMapper JSON = new ObjectMapper();

    private ConsulJson() {
    }

    /**
     * Decodes a 200 answer of {@code endpoint}.
     *
     * @throws IOException if the body is not JSON of the expected shape
     */
    static List<?> decode(StoreRequest.Endpoint endpoint, byte[] body) throws IOException {
        JsonNode root = JSON.readTree(body);
        if (root == null || root.isMissingNode()) {
            throw new IOException("empty body");
        }
        return switch (endpoint) {
            case KV_KEY, KV_PREFIX -> kvEntries(root);
            case HEALTH_SERVICE -> serviceEntries(root);
            case CATALOG_SERVICES -> catalogServices(root);
            case CATALOG_NODE -> nodeDetail(root);
            case CATALOG_NODES -> nodes(root);
            case CATALOG_DATACENTERS -> strings(array(root, "datacenter names"));
        };
    }

    static List<KvEntry> kvEntries(JsonNode root) throws IOException {
        List<KvEntry> entries = new ArrayList<>();
        for (JsonNode e : array(root, "KV entries")) {
            String key = e.path("Key").asText(null);
            if (key == null) {
                throw new IOException("KV entry without Key: " + e);
            }
            JsonNode v = e.path("Value");
            String value = v.isNull() || v.isMissingNode() ? "" : utf8(base64(key, v.asText()));
            entries.add(new KvEntry(key, value, e.path("Flags").asLong(), e.path("CreateIndex").asLong(),
                    e.path("ModifyIndex").asLong()));
        }
        return entries;
    }

    static List<ServiceInstance> serviceEntries(JsonNode root) throws IOException {
        List<ServiceInstance> instances = new ArrayList<>();
        for (JsonNode entry : array(root, "health service entries")) {
            JsonNode node = entry.path("Node");
            JsonNode service = entry.path("Service");
            if (!node.isObject() || !service.isObject()) {
                throw new IOException("service entry without Node or Service: " + entry);
            }
            String datacenter = service.path("Datacenter").asText(node.path("Datacenter").asText(""));
            instances.add(instance(node, service, aggregatedStatus(service.path("ID").asText(""), entry.path("Checks")),
                    datacenter));
        }
        return instances;
    }

    /**
     * Go's {@code HealthChecks.AggregatedStatus}: any maintenance check wins, then critical, then
     * warning; no checks is passing; a status string it does not know gives "" (consul-template
     * then drops the instance, and so does the engine, since "" is no state a template asks for).
     */
    static String aggregatedStatus(String serviceId, JsonNode checks) {
        boolean warning = false;
        boolean critical = false;
        boolean maintenance = false;
        boolean unknown = false;
        for (JsonNode c : checks) {
            String id = c.path("CheckID").asText("");
            if (id.equals("_node_maintenance") || id.equals("_service_maintenance:" + serviceId)) {
                maintenance = true;
                continue;
            }
            switch (c.path("Status").asText("")) {
                case "passing" -> { }
                case "warning" -> warning = true;
                case "critical" -> critical = true;
                default -> unknown = true;
            }
        }
        if (maintenance) {
            return "maintenance";
        }
        if (critical) {
            return "critical";
        }
        if (warning) {
            return "warning";
        }
        return unknown ? "" : "passing";
    }

    static List<CatalogService> catalogServices(JsonNode root) throws IOException {
        if (!root.isObject()) {
            throw new IOException("expected an object of service names, got " + root.getNodeType());
        }
        List<CatalogService> services = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            services.add(new CatalogService(f.getKey(), f.getValue().isNull() ? List.of() : strings(f.getValue())));
        }
        return services;
    }

    /** An unknown node is {@code 200 null} (CONSUL-API.md §6): no data, which is an empty list. */
    static List<NodeDetail> nodeDetail(JsonNode root) throws IOException {
        if (root.isNull()) {
            return List.of();
        }
        JsonNode node = root.path("Node");
        if (!node.isObject()) {
            throw new IOException("node answer without Node: " + root);
        }
        CatalogNode catalogNode = catalogNode(node);
        List<ServiceInstance> services = new ArrayList<>();
        JsonNode byId = root.path("Services");
        if (byId.isObject()) {
            // the catalog's node view carries no health: status is left empty
            byId.elements().forEachRemaining(s -> services.add(instance(node, s, "", catalogNode.datacenter())));
        }
        return List.of(new NodeDetail(catalogNode, services));
    }

    static List<CatalogNode> nodes(JsonNode root) throws IOException {
        List<CatalogNode> nodes = new ArrayList<>();
        for (JsonNode n : array(root, "nodes")) {
            nodes.add(catalogNode(n));
        }
        return nodes;
    }

    private static CatalogNode catalogNode(JsonNode n) throws IOException {
        String name = n.path("Node").asText(null);
        if (name == null) {
            throw new IOException("node without a Node name: " + n);
        }
        return new CatalogNode(name, n.path("Address").asText(""), n.path("Datacenter").asText(""),
                stringMap(n.path("Meta")));
    }

    /** An instance from a node object and an AgentService object ({@code ID}, {@code Service}, ...). */
    private static ServiceInstance instance(JsonNode node, JsonNode service, String status, String datacenter) {
        String nodeAddress = node.path("Address").asText("");
        String address = service.path("Address").asText("");
        return new ServiceInstance(service.path("ID").asText(""), service.path("Service").asText(""),
                node.path("Node").asText(""), address.isEmpty() ? nodeAddress : address, nodeAddress,
                service.path("Port").asInt(), strings(service.path("Tags")), stringMap(service.path("Meta")),
                status, datacenter);
    }

    private static JsonNode array(JsonNode root, String what) throws IOException {
        if (root.isNull()) {
            return JSON.createArrayNode(); // Consul sends null for some empty lists in old versions
        }
        if (!root.isArray()) {
            throw new IOException("expected an array of " + what + ", got " + root.getNodeType());
        }
        return root;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(s -> out.add(s.asText()));
        return out;
    }

    private static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
        return out;
    }

    private static byte[] base64(String key, String text) throws IOException {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IOException("Value of " + key + " is not base64: " + e.getMessage(), e);
        }
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

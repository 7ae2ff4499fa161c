package dev.cairn.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The service-registry endpoints the CLI uses: catalog reads ({@code /v1/catalog/*}), the local
 * agent's service register/deregister and its member list ({@code /v1/agent/*}).
 */
public final class CatalogClient {

    private final CairnClient http;

    public CatalogClient(CairnClient http) {
        this.http = http;
    }

    /** A catalog node ({@code /v1/catalog/nodes}). Maps are never null. */
    public record Node(String id, String name, String address, String datacenter,
                       Map<String, String> taggedAddresses, Map<String, String> meta) {
    }

    /** A gossip member as {@code /v1/agent/members} reports it; {@code status} 1 is alive. */
    public record Member(String name, String addr, int port, Map<String, String> tags, int status) {
    }

    /** Every service name with its merged tags, both sorted. */
    public Map<String, List<String>> services() {
        Map<String, TreeSet<String>> merged = new TreeMap<>();
        http.get("/v1/catalog/services", null).ok().json().fields()
                .forEachRemaining(e -> merged.put(e.getKey(), texts(e.getValue())));
        return sorted(merged);
    }

    /** The services registered on one node, name to merged tags; empty when the node is unknown. */
    public Map<String, List<String>> servicesOfNode(String node) {
        Map<String, TreeSet<String>> merged = new TreeMap<>();
        JsonNode json = http.get("/v1/catalog/node/" + CairnClient.encodePath(node), null).ok().json();
        // an unknown node is 200 null, as in Consul
        json.path("Services").forEach(s -> merged.computeIfAbsent(s.path("Service").asText(), k -> new TreeSet<>())
                .addAll(texts(s.path("Tags"))));
        return sorted(merged);
    }

    public List<Node> nodes() {
        List<Node> out = new ArrayList<>();
        http.get("/v1/catalog/nodes", null).ok().json().forEach(n -> out.add(new Node(n.path("ID").asText(),
                n.path("Node").asText(), n.path("Address").asText(), n.path("Datacenter").asText(),
                strings(n.path("TaggedAddresses")), strings(n.path("Meta")))));
        return out;
    }

    /** The nodes that run an instance of {@code service}, each once, in the server's order. */
    public List<Node> nodesOf(String service) {
        Map<String, Node> byName = new LinkedHashMap<>();
        http.get("/v1/catalog/service/" + CairnClient.encodePath(service), null).ok().json().forEach(s ->
                byName.putIfAbsent(s.path("Node").asText(), new Node(s.path("ID").asText(), s.path("Node").asText(),
                        s.path("Address").asText(), s.path("Datacenter").asText(),
                        strings(s.path("TaggedAddresses")), strings(s.path("NodeMeta")))));
        return new ArrayList<>(byName.values());
    }

    public List<Member> members() {
        List<Member> out = new ArrayList<>();
        http.get("/v1/agent/members", null).ok().json().forEach(m -> out.add(new Member(m.path("Name").asText(),
                m.path("Addr").asText(), m.path("Port").asInt(), strings(m.path("Tags")), m.path("Status").asInt())));
        return out;
    }

    /**
     * {@code PUT /v1/agent/service/register} with the definition as given: the server matches its
     * keys case-insensitively, so a definition file is sent unchanged.
     */
    public void register(ObjectNode service) {
        byte[] body;
        try {
            body = CairnClient.JSON.writeValueAsBytes(service);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.put("/v1/agent/service/register", null, body).ok();
    }

    /** Removes a service of the server's own node; an unknown ID is not an error. */
    public void deregister(String serviceId) {
        http.put("/v1/agent/service/deregister/" + CairnClient.encodePath(serviceId), null, new byte[0]).ok();
    }

    private static TreeSet<String> texts(JsonNode array) {
        TreeSet<String> out = new TreeSet<>();
        array.forEach(t -> out.add(t.asText()));
        return out;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new TreeMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static Map<String, List<String>> sorted(Map<String, TreeSet<String>> merged) {
        Map<String, List<String>> out = new TreeMap<>();
        merged.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }
}

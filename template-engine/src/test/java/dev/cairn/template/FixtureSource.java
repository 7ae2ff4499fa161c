package dev.cairn.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An in-memory store loaded from a golden case's {@code data.json}:
 *
 * <pre>
 * { "kv": {"PATH": "VALUE" or {"Value": .., "Flags": .., "CreateIndex": .., "ModifyIndex": ..}},
 *   "nodes": [{"Node", "Address", "Datacenter", "Meta"}],
 *   "services": [{"ID", "Name", "Node", "Address", "Port", "Tags", "Meta", "Status"}],
 *   "datacenters": [..], "env": {"NAME": "VALUE"}, "pending": ["QUERY", ..] }
 * </pre>
 *
 * It answers like a lazy store would: every KV query gets every entry, a service query every
 * instance of the service whatever its health, services:* one entry per instance. The engine has
 * to filter, merge and sort. {@code pending} queries have no data yet. With {@code reversed}, every
 * answer comes in the opposite order, which must not change a byte of output.
 */
final class FixtureSource implements DataSource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<KvEntry> kv = new ArrayList<>();
    private final List<CatalogNode> nodes = new ArrayList<>();
    private final List<ServiceInstance> instances = new ArrayList<>();
    private final List<String> datacenters = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Set<Query> pending = new HashSet<>();
    private final boolean reversed;
    private final DataSource local;

    private FixtureSource(JsonNode root, boolean reversed) {
        this.reversed = reversed;
        root.path("kv").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            kv.add(v.isObject()
                    ? new KvEntry(e.getKey(), v.path("Value").asText(), v.path("Flags").asLong(),
                    v.path("CreateIndex").asLong(), v.path("ModifyIndex").asLong())
                    : KvEntry.of(e.getKey(), v.asText()));
        });
        root.path("nodes").forEach(n -> nodes.add(new CatalogNode(n.path("Node").asText(), n.path("Address").asText(),
                n.path("Datacenter").asText("dc1"), strings(n.path("Meta")))));
        root.path("services").forEach(s -> {
            CatalogNode node = node(s.path("Node").asText());
            List<String> tags = new ArrayList<>();
            s.path("Tags").forEach(t -> tags.add(t.asText()));
            instances.add(new ServiceInstance(s.path("ID").asText(), s.path("Name").asText(), s.path("Node").asText(),
                    s.path("Address").asText(), node == null ? "" : node.address(), s.path("Port").asInt(), tags,
                    strings(s.path("Meta")), s.path("Status").asText("passing"),
                    node == null ? "dc1" : node.datacenter()));
        });
        root.path("datacenters").forEach(d -> datacenters.add(d.asText()));
        env.putAll(strings(root.path("env")));
        root.path("pending").forEach(q -> pending.add(Query.parse(q.asText())));
        this.local = DataSource.local(env);
    }

    static FixtureSource load(Path json, boolean reversed) throws IOException {
        return new FixtureSource(JSON.readTree(json.toFile()), reversed);
    }

    @Override
    public Optional<? extends List<?>> get(Query query) {
        if (pending.contains(query)) {
            return Optional.empty();
        }
        List<?> answer = switch (query.kind()) {
            case KEY, KEY_EXISTS, TREE, LS -> kv;
            case SERVICE -> instances.stream().filter(i -> i.name().equals(query.argument())).toList();
            case SERVICES -> instances.stream().map(i -> new CatalogService(i.name(), i.tags())).toList();
            case NODE -> nodes.stream().filter(n -> n.node().equals(query.argument()))
                    .map(n -> new NodeDetail(n, instances.stream().filter(i -> i.node().equals(n.node())).toList()))
                    .toList();
            case NODES -> nodes;
            case DATACENTERS -> datacenters;
            case ENV, FILE -> local.get(query).orElseThrow();
        };
        if (reversed) {
            List<?> copy = new ArrayList<>(answer);
            Collections.reverse(copy);
            answer = copy;
        }
        return Optional.of(answer);
    }

    private CatalogNode node(String name) {
        return nodes.stream().filter(n -> n.node().equals(name)).findFirst().orElse(null);
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }
}

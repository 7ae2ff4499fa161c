package dev.cairn.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a source's answer to a query into what a template sees: filtered, in the stable order
 * TEMPLATES.md promises (entries by key, instances by node then ID, services and nodes by name),
 * with the field names templates use ({@code Key}, {@code Address}, ...). Sorting here, not in the
 * source, is what makes the same store contents render the same bytes whatever the source does.
 */
final class Views {

    private static final Comparator<ServiceInstance> BY_NODE_THEN_ID =
            Comparator.comparing(ServiceInstance::node).thenComparing(ServiceInstance::id);

    private Views() {
    }

    /** What a template sees for a query whose source has no data yet: as if it were empty. */
    static Object noData(Query query) {
        return switch (query.kind()) {
            case KEY, ENV -> query.defaultValue().orElse(null);
            case KEY_EXISTS -> Boolean.FALSE;
            case NODE, FILE -> null;
            default -> List.of();
        };
    }

    /**
     * What a template sees for a query, or {@code null} for a missing key, node, file or variable.
     */
    static Object of(Query query, List<?> answer) {
        return switch (query.kind()) {
            case KEY -> {
                KvEntry entry = exactKey(query, answer);
                yield entry != null ? entry.value() : query.defaultValue().orElse(null);
            }
            case KEY_EXISTS -> exactKey(query, answer) != null;
            case TREE -> entries(query, answer, false);
            case LS -> entries(query, answer, true);
            case SERVICE -> instances(query, answer);
            case SERVICES -> services(query, answer);
            case NODE -> node(query, answer);
            case NODES -> nodes(query, answer);
            case DATACENTERS -> List.copyOf(new TreeSet<>(elements(query, answer, String.class)));
            case ENV -> elements(query, answer, String.class).stream().findFirst()
                    .orElse(query.defaultValue().orElse(null));
            case FILE -> elements(query, answer, String.class).stream().findFirst().orElse(null);
        };
    }

    private static KvEntry exactKey(Query query, List<?> answer) {
        return elements(query, answer, KvEntry.class).stream()
                .filter(e -> e.path().equals(query.argument()))
                .findFirst().orElse(null);
    }

    private static List<Map<String, Object>> entries(Query query, List<?> answer, boolean directOnly) {
        String prefix = query.argument().isEmpty() ? "" : query.argument() + "/";
        TreeMap<String, Map<String, Object>> byKey = new TreeMap<>();
        for (KvEntry e : elements(query, answer, KvEntry.class)) {
            if (!e.path().startsWith(prefix)) {
                continue;
            }
            String key = e.path().substring(prefix.length());
            // Keys ending in '/' are folders, not keys; ls lists only the keys directly under PREFIX
            // (with app/a and app/b/c, ls:app is just a).
            if (key.isEmpty() || key.endsWith("/") || (directOnly && key.contains("/"))) {
                continue;
            }
            byKey.put(key, Map.of("Key", key, "Path", e.path(), "Value", e.value(), "Flags", e.flags(),
                    "CreateIndex", e.createIndex(), "ModifyIndex", e.modifyIndex()));
        }
        return List.copyOf(byKey.values());
    }

    private static List<Map<String, Object>> instances(Query query, List<?> answer) {
        return elements(query, answer, ServiceInstance.class).stream()
                .filter(i -> query.states().contains(i.status()))
                .filter(i -> i.tags().containsAll(query.tags()))
                .sorted(BY_NODE_THEN_ID)
                .map(Views::instance)
                .toList();
    }

    private static Map<String, Object> instance(ServiceInstance i) {
        // An instance registered without an address is reached at its node's address.
        String address = i.address().isEmpty() ? i.nodeAddress() : i.address();
        return Map.of("ID", i.id(), "Name", i.name(), "Node", i.node(), "Address", address,
                "NodeAddress", i.nodeAddress(), "Port", i.port(), "Tags", i.tags(), "Meta", sorted(i.meta()),
                "Status", i.status(), "Datacenter", i.datacenter());
    }

    private static List<Map<String, Object>> services(Query query, List<?> answer) {
        // A source may list a service once per instance: merge by name, union of tags, sorted.
        TreeMap<String, TreeSet<String>> tagsByName = new TreeMap<>();
        for (CatalogService s : elements(query, answer, CatalogService.class)) {
            tagsByName.computeIfAbsent(s.name(), n -> new TreeSet<>()).addAll(s.tags());
        }
        List<Map<String, Object>> views = new ArrayList<>();
        tagsByName.forEach((name, tags) -> {
            if (tags.containsAll(query.tags())) {
                views.add(Map.of("Name", name, "Tags", List.copyOf(tags),
                        "Instances", new LazyQuery(query.instancesOf(name))));
            }
        });
        return List.copyOf(views);
    }

    private static Map<String, Object> node(Query query, List<?> answer) {
        return elements(query, answer, NodeDetail.class).stream()
                .filter(d -> d.node().node().equals(query.argument()))
                .findFirst()
                .map(d -> {
                    Map<String, Object> view = new LinkedHashMap<>(node(d.node()));
                    view.put("Services", d.services().stream().sorted(BY_NODE_THEN_ID).map(Views::instance).toList());
                    return Collections.unmodifiableMap(view);
                })
                .orElse(null);
    }

    private static List<Map<String, Object>> nodes(Query query, List<?> answer) {
        return elements(query, answer, CatalogNode.class).stream()
                .sorted(Comparator.comparing(CatalogNode::node))
                .map(Views::node)
                .toList();
    }

    private static Map<String, Object> node(CatalogNode n) {
        return Map.of("Node", n.node(), "Address", n.address(), "Datacenter", n.datacenter(), "Meta", sorted(n.meta()));
    }

    private static Map<String, String> sorted(Map<String, String> meta) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(meta));
    }

    /** The answer's elements, checked: a source answering with the wrong type is a bug to name. */
    private static <T> List<T> elements(Query query, List<?> answer, Class<T> type) {
        List<T> checked = new ArrayList<>(answer.size());
        for (Object element : answer) {
            if (!type.isInstance(element)) {
                throw new IllegalStateException("DataSource answered " + query + " with "
                        + (element == null ? "null" : "a " + element.getClass().getName()) + "; "
                        + query.kind().label() + " queries take " + type.getSimpleName() + " elements");
            }
            checked.add(type.cast(element));
        }
        return checked;
    }
}

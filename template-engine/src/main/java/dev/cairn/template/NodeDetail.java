package dev.cairn.template;

import java.util.List;
import java.util.Objects;

/**
 * A node and the services registered on it, for {@code node:NAME}. The services' {@code status}
 * may be empty: the catalog's node view carries no health.
 */
public record NodeDetail(CatalogNode node, List<ServiceInstance> services) {

    public NodeDetail {
        Objects.requireNonNull(node, "node");
        services = services == null ? List.of() : List.copyOf(services);
    }
}

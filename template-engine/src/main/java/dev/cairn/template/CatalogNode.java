package dev.cairn.template;

import java.util.Map;
import java.util.Objects;

/** A node in the catalog, for {@code nodes:*} and {@code node:NAME}. */
public record CatalogNode(String node, String address, String datacenter, Map<String, String> meta) {

    public CatalogNode {
        Objects.requireNonNull(node, "node");
        address = Objects.requireNonNullElse(address, "");
        datacenter = Objects.requireNonNullElse(datacenter, "");
        meta = meta == null ? Map.of() : Map.copyOf(meta);
    }
}

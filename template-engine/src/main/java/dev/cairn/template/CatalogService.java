package dev.cairn.template;

import java.util.List;
import java.util.Objects;

/**
 * A service in the catalog, for {@code services:*}: its name and the tags of its instances (any
 * order, duplicates allowed: the engine shows the sorted union).
 */
public record CatalogService(String name, List<String> tags) {

    public CatalogService {
        Objects.requireNonNull(name, "name");
        tags = tags == null ? List.of() : List.copyOf(tags);
    }
}

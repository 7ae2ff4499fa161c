package dev.cairn.template;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One registered instance of a service, for {@code service} queries (and a node's services).
 *
 * <p>{@code address} is the service address as registered, possibly empty: the engine shows the
 * node's address in its place, as TEMPLATES.md asks. {@code status} is the aggregate health of the
 * instance's checks ({@code passing}, {@code warning}, {@code critical} or {@code maintenance});
 * the engine filters on it, so a source may return every instance regardless of health. Null
 * strings read as empty and null collections as empty.
 */
public record ServiceInstance(String id, String name, String node, String address, String nodeAddress,
                              int port, List<String> tags, Map<String, String> meta, String status,
                              String datacenter) {

    public ServiceInstance {
        id = Objects.requireNonNullElse(id, "");
        name = Objects.requireNonNullElse(name, "");
        node = Objects.requireNonNullElse(node, "");
        address = Objects.requireNonNullElse(address, "");
        nodeAddress = Objects.requireNonNullElse(nodeAddress, "");
        tags = tags == null ? List.of() : List.copyOf(tags);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
        status = Objects.requireNonNullElse(status, "");
        datacenter = Objects.requireNonNullElse(datacenter, "");
    }
}

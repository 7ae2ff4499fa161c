package dev.cairn.store.catalog;

import java.util.List;
import java.util.Map;

/** One registered instance of a service on a node. Collections are never null. */
public record ServiceInstance(String node, String id, String service, List<String> tags, String address,
                              Map<String, TaggedAddress> taggedAddresses, Map<String, String> meta, int port,
                              Weights weights, boolean enableTagOverride, String kind,
                              long createIndex, long modifyIndex) {

    public record TaggedAddress(String address, int port) {
    }

    public record Weights(int passing, int warning) {
        public static final Weights DEFAULT = new Weights(1, 1);
    }

    public ServiceInstance {
        tags = tags == null ? List.of() : List.copyOf(tags);
        address = address == null ? "" : address;
        taggedAddresses = taggedAddresses == null ? Map.of() : Map.copyOf(taggedAddresses);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
        weights = weights == null ? Weights.DEFAULT : weights;
        kind = kind == null ? "" : kind;
    }

    boolean sameAs(ServiceInstance o) {
        return o != null && service.equals(o.service) && tags.equals(o.tags) && address.equals(o.address)
                && taggedAddresses.equals(o.taggedAddresses) && meta.equals(o.meta) && port == o.port
                && weights.equals(o.weights) && enableTagOverride == o.enableTagOverride && kind.equals(o.kind);
    }

    /** The same instance with zeroed indexes: what a content hash is computed over. */
    public ServiceInstance withoutIndexes() {
        return indexed(node, 0, 0);
    }

    ServiceInstance indexed(String onNode, long create, long modify) {
        return new ServiceInstance(onNode, id, service, tags, address, taggedAddresses, meta, port, weights,
                enableTagOverride, kind, create, modify);
    }
}

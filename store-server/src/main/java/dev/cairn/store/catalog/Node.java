package dev.cairn.store.catalog;

import java.util.Map;

/** A catalog node. {@code taggedAddresses} and {@code meta} are never null. */
public record Node(String id, String name, String address, String datacenter,
                   Map<String, String> taggedAddresses, Map<String, String> meta,
                   long createIndex, long modifyIndex) {

    public Node {
        id = id == null ? "" : id;
        taggedAddresses = taggedAddresses == null ? Map.of() : Map.copyOf(taggedAddresses);
        meta = meta == null ? Map.of() : Map.copyOf(meta);
    }

    boolean sameAs(Node o) {
        return o != null && id.equals(o.id) && address.equals(o.address) && datacenter.equals(o.datacenter)
                && taggedAddresses.equals(o.taggedAddresses) && meta.equals(o.meta);
    }

    Node indexed(long create, long modify) {
        return new Node(id, name, address, datacenter, taggedAddresses, meta, create, modify);
    }
}

package dev.cairn.watcher;

import java.util.List;

/**
 * One answer from the store: the data, as the engine's records (see {@code Query.Kind}), the
 * {@code X-Consul-Index} it came with (0 when the endpoint sends none, as for datacenters), and
 * {@code X-Consul-LastContact}: how long ago the answering server last heard from the leader (0
 * from the leader itself; what {@code max_stale} is compared with).
 */
public record QueryResult(List<?> data, long index, long lastContactMillis) {

    public QueryResult {
        data = List.copyOf(data);
    }

    public QueryResult(List<?> data, long index) {
        this(data, index, 0);
    }
}

package dev.cairn.watcher;

import java.util.List;

/**
 * One answer from the store: the data, as the engine's records (see {@code Query.Kind}), and the
 * {@code X-Consul-Index} it came with (0 when the endpoint sends none, as for datacenters).
 */
public record QueryResult(List<?> data, long index) {

    public QueryResult {
        data = List.copyOf(data);
    }
}

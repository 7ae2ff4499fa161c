package dev.cairn.watcher;

import dev.cairn.template.Query;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.cairn.client.CairnClient.encode;

/**
 * The HTTP request that answers a store query (CONSUL-API.md §3, §6, §7), without the blocking
 * parameters. It is a value, and it is what data is cached and watched by: queries that differ
 * only in how the engine uses the answer share one request. {@code key:a}, {@code key:a?default=x}
 * and {@code keyExists:a} all read {@code /v1/kv/a}; {@code tree:app} and {@code ls:app} both read
 * {@code /v1/kv/app/?recurse} (the engine drops the deeper keys for ls); every {@code services:*}
 * reads {@code /v1/catalog/services} whatever its tags (the endpoint has no tag filter, the engine
 * filters).
 *
 * @param endpoint what kind of answer to decode
 * @param path     the encoded path, e.g. {@code /v1/kv/app/config/}
 * @param params   query parameters in the order sent; a null value is sent bare ({@code ?recurse})
 */
record StoreRequest(Endpoint endpoint, String path, List<Param> params) {

    /** The endpoints store queries use, each with its answer's shape. */
    enum Endpoint {
        /** {@code /v1/kv/KEY}: an array of one entry; 404 when missing. */
        KV_KEY,
        /** {@code /v1/kv/PREFIX/?recurse}: the entries under the prefix; 404 when none. */
        KV_PREFIX,
        /** {@code /v1/health/service/NAME}: service entries with their checks. */
        HEALTH_SERVICE,
        /** {@code /v1/catalog/services}: service name to merged tags. */
        CATALOG_SERVICES,
        /** {@code /v1/catalog/node/NAME}: the node and its services, or {@code null}. */
        CATALOG_NODE,
        /** {@code /v1/catalog/nodes}: every node. */
        CATALOG_NODES,
        /** {@code /v1/catalog/datacenters}: names; not blocking, no index (consul-template polls it). */
        CATALOG_DATACENTERS;

        /** Whether {@code ?index=} blocks on this endpoint; a watcher polls the others. */
        boolean blocking() {
            return this != CATALOG_DATACENTERS;
        }

        /** KV reads answer 404 for "nothing there", which is data (an empty list), not an error. */
        boolean notFoundIsEmpty() {
            return this == KV_KEY || this == KV_PREFIX;
        }
    }

    /** One query parameter; {@code value} null sends the name alone. */
    record Param(String name, String value) {
    }

    StoreRequest {
        params = List.copyOf(params);
    }

    /**
     * The request for a store query.
     *
     * @throws IllegalArgumentException for env: and file:, which are answered locally
     */
    static StoreRequest of(Query query) {
        List<Param> params = new ArrayList<>();
        Endpoint endpoint;
        String path;
        switch (query.kind()) {
            case KEY, KEY_EXISTS -> {
                endpoint = Endpoint.KV_KEY;
                path = "/v1/kv/" + encode(query.argument(), true);
            }
            case TREE, LS -> {
                // "app/" and not "app": Consul's recurse is a plain string prefix, so without the
                // slash it would also list app2/x. The root prefix is "" (the whole store).
                endpoint = Endpoint.KV_PREFIX;
                String prefix = query.argument().isEmpty() ? "" : query.argument() + "/";
                path = "/v1/kv/" + encode(prefix, true);
                params.add(new Param("recurse", null));
            }
            case SERVICE -> {
                endpoint = Endpoint.HEALTH_SERVICE;
                path = "/v1/health/service/" + encode(query.argument(), false);
                // The engine filters tags and states again; asking the server first saves bytes.
                // passing=1 only when nothing but passing is wanted, as consul-template does.
                query.tags().forEach(t -> params.add(new Param("tag", t)));
                if (query.states().equals(Set.of("passing"))) {
                    params.add(new Param("passing", "1"));
                }
            }
            case SERVICES -> {
                endpoint = Endpoint.CATALOG_SERVICES;
                path = "/v1/catalog/services";
            }
            case NODE -> {
                endpoint = Endpoint.CATALOG_NODE;
                path = "/v1/catalog/node/" + encode(query.argument(), false);
            }
            case NODES -> {
                endpoint = Endpoint.CATALOG_NODES;
                path = "/v1/catalog/nodes";
            }
            case DATACENTERS -> {
                endpoint = Endpoint.CATALOG_DATACENTERS;
                path = "/v1/catalog/datacenters";
            }
            default -> throw new IllegalArgumentException(query + " is answered locally, not by the store");
        }
        query.datacenter().ifPresent(dc -> params.add(new Param("dc", dc)));
        if (query.stale()) {
            params.add(new Param("stale", null));
        }
        return new StoreRequest(endpoint, path, params);
    }

    /** Path and query string, e.g. {@code /v1/kv/app/?recurse&dc=dc2}, plus any extra parameters. */
    String pathAndQuery(List<Param> extra) {
        StringBuilder s = new StringBuilder(path);
        char sep = '?';
        for (List<Param> list : List.of(params, extra)) {
            for (Param p : list) {
                s.append(sep).append(encode(p.name(), false));
                if (p.value() != null) {
                    s.append('=').append(encode(p.value(), false));
                }
                sep = '&';
            }
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return pathAndQuery(List.of());
    }
}

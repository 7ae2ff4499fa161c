package dev.cairn.store.state;

/**
 * Names under which changes are announced to parked blocking queries. Each table has its own
 * namespace so that, say, a KV write never wakes a catalog query.
 */
public final class WatchKeys {

    private WatchKeys() {
    }

    public static String kv(String key) {
        return "kv/" + key;
    }

    public static final String CATALOG_NODES = "catalog/nodes";
    public static final String CATALOG_SERVICES = "catalog/services";
    public static final String CATALOG_CHECKS = "catalog/checks";

    /** A node, its services and its checks. */
    public static String catalogNode(String node) {
        return "catalog/node/" + node;
    }

    /** The session table: every session query (info, list, node) watches this one key. */
    public static final String SESSIONS = "session/all";

    /** Every instance of a service, their checks, and the nodes they run on. */
    public static String catalogService(String name) {
        return "catalog/service/" + name;
    }
}

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
}

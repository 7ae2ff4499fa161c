package dev.cairn.store.agent;

/** Told when a TTL check got a heartbeat through the agent API, so its expiry clock restarts. */
@FunctionalInterface
public interface TtlListener {
    void heartbeat(String checkId);
}

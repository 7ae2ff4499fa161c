package dev.cairn.store.session;

import dev.cairn.store.http.GoDuration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A session, as Consul's {@code structs.Session}: locks held through it are tied to its node and
 * checks (and to its TTL, when it has one). {@code lockDelayNanos} is how long keys it held stay
 * unacquirable after it is invalidated. Sessions are never modified, so ModifyIndex = CreateIndex.
 */
public record Session(String id, String name, String node, long lockDelayNanos, String behavior, String ttl,
                      List<String> nodeChecks, List<ServiceCheck> serviceChecks, long createIndex,
                      long modifyIndex) {

    public static final String RELEASE = "release";
    public static final String DELETE = "delete";

    /** A service check a session depends on; Namespace is kept for Consul's JSON shape only. */
    public record ServiceCheck(String id, String namespace) {
        public ServiceCheck {
            namespace = namespace == null ? "" : namespace;
        }
    }

    public Session {
        name = name == null ? "" : name;
        behavior = behavior == null || behavior.isEmpty() ? RELEASE : behavior;
        ttl = ttl == null ? "" : ttl;
        nodeChecks = nodeChecks == null ? List.of() : List.copyOf(nodeChecks);
        serviceChecks = serviceChecks == null ? List.of() : List.copyOf(serviceChecks);
    }

    /** Every check the session depends on (all live on its node), node checks first. */
    public List<String> checkIds() {
        List<String> ids = new ArrayList<>(nodeChecks);
        for (ServiceCheck s : serviceChecks) {
            if (!ids.contains(s.id())) {
                ids.add(s.id());
            }
        }
        return ids;
    }

    /** The TTL as a duration; zero when the session has none. */
    public Duration ttlDuration() {
        if (ttl.isEmpty()) {
            return Duration.ZERO;
        }
        try {
            return GoDuration.parse(ttl);
        } catch (IllegalArgumentException e) {
            return Duration.ZERO; // refused at create; an old entry must not break apply
        }
    }

    public boolean deletesKeys() {
        return DELETE.equals(behavior);
    }

    Session indexed(long index) {
        return new Session(id, name, node, lockDelayNanos, behavior, ttl, nodeChecks, serviceChecks, index, index);
    }
}

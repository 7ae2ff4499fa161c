package dev.cairn.store.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.store.state.WatchKeys;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Nodes, service instances and health checks, changed only by {@link #apply} in Raft order.
 *
 * <p>Every query reads a set of watch keys ({@link WatchKeys}); each watch key keeps the Raft
 * index of the last change that touched it, and that index is what a blocking query on it
 * reports. The indexes are never removed, so a deleted service's index stays put (it is its
 * tombstone) and never goes backwards. A change to service {@code web} touches
 * {@code catalog/service/web} only, so it never wakes a query on {@code db}. After a snapshot
 * restore, {@code floor} (the restore's index) is the least index any query reports.
 */
public final class CatalogState {

    private final TreeMap<String, Node> nodes = new TreeMap<>();
    /** node -> service id -> instance */
    private final TreeMap<String, TreeMap<String, ServiceInstance>> services = new TreeMap<>();
    /** node -> check id -> check */
    private final TreeMap<String, TreeMap<String, HealthCheck>> checks = new TreeMap<>();
    /**
     * service name -> (node NUL id) -> instance: a service's instances without scanning the
     * catalog, already in the order queries answer in (by node, then id; NUL sorts first).
     */
    private final HashMap<String, TreeMap<String, ServiceInstance>> byName = new HashMap<>();
    private final Map<String, Long> indexes = new HashMap<>();
    private long floor;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    // ---------------------------------------------------------------- writes

    /** Applies a command at {@code index}; adds the watch keys it changed to {@code changed}. */
    public CatalogCommand.Result apply(CatalogCommand command, long index, Collection<String> changed) {
        lock.writeLock().lock();
        try {
            Touch touch = new Touch(index, changed);
            if (command instanceof CatalogCommand.Register r) {
                return register(r, touch);
            } else if (command instanceof CatalogCommand.Deregister d) {
                return deregister(d, touch);
            } else if (command instanceof CatalogCommand.UpdateCheck u) {
                return updateCheck(u, touch);
            }
            return CatalogCommand.Result.refused("unknown catalog command");
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Records that a watch key changed at this index. */
    private final class Touch {
        final long index;
        final Collection<String> changed;

        Touch(long index, Collection<String> changed) {
            this.index = index;
            this.changed = changed;
        }

        void key(String watchKey) {
            indexes.put(watchKey, index);
            changed.add(watchKey);
        }

        void node(String node) {
            key(WatchKeys.CATALOG_NODES);
            key(WatchKeys.catalogNode(node));
        }

        void service(String node, String name) {
            key(WatchKeys.CATALOG_SERVICES);
            key(WatchKeys.catalogService(name));
            key(WatchKeys.catalogNode(node));
        }

        /** A check changed: its service, or for a node check every service on the node. */
        void check(HealthCheck c) {
            key(WatchKeys.CATALOG_CHECKS);
            key(WatchKeys.catalogNode(c.node()));
            if (!c.serviceId().isEmpty()) {
                key(WatchKeys.catalogService(c.serviceName()));
            } else {
                servicesOn(c.node()).values().forEach(s -> key(WatchKeys.catalogService(s.service())));
            }
        }
    }

    private CatalogCommand.Result register(CatalogCommand.Register r, Touch touch) {
        Node node = r.node();
        ServiceInstance svc = r.service();
        // validate everything before changing anything: a refused registration leaves no trace
        for (HealthCheck c : r.checks()) {
            if (!c.serviceId().isEmpty() && (svc == null || !svc.id().equals(c.serviceId()))
                    && !servicesOn(node.name()).containsKey(c.serviceId())) {
                return CatalogCommand.Result.refused("Missing service registration: check \"" + c.checkId()
                        + "\" names service \"" + c.serviceId() + "\", which is not registered on node \""
                        + node.name() + "\"");
            }
        }
        Node existing = nodes.get(node.name());
        if (existing == null) {
            nodes.put(node.name(), node.indexed(touch.index, touch.index));
            touch.node(node.name());
        } else if (!r.skipNodeUpdate() && !node.sameAs(existing)) {
            nodes.put(node.name(), node.indexed(existing.createIndex(), touch.index));
            touch.node(node.name());
            servicesOn(node.name()).values().forEach(s -> touch.key(WatchKeys.catalogService(s.service())));
        }
        if (svc != null) {
            putService(node.name(), svc, touch);
            if (r.replaceServiceChecks()) {
                Set<String> keep = new TreeSet<>();
                r.checks().forEach(c -> keep.add(c.checkId()));
                checksOn(node.name()).values().removeIf(c -> {
                    boolean drop = c.serviceId().equals(svc.id()) && !keep.contains(c.checkId());
                    if (drop) {
                        touch.check(c);
                    }
                    return drop;
                });
            }
        }
        for (HealthCheck c : r.checks()) {
            putCheck(node.name(), c, touch);
        }
        return CatalogCommand.Result.OK;
    }

    private void putService(String nodeName, ServiceInstance svc, Touch touch) {
        TreeMap<String, ServiceInstance> onNode = services.computeIfAbsent(nodeName, n -> new TreeMap<>());
        ServiceInstance old = onNode.get(svc.id());
        if (svc.sameAs(old)) {
            return;
        }
        ServiceInstance stored = svc.indexed(nodeName, old == null ? touch.index : old.createIndex(), touch.index);
        onNode.put(svc.id(), stored);
        if (old != null && !old.service().equals(stored.service())) {
            unindex(old);
        }
        index(stored);
        touch.service(nodeName, svc.service());
        if (old != null && !old.service().equals(svc.service())) {
            touch.service(nodeName, old.service());
        }
        // a service's checks carry its name and tags
        for (HealthCheck c : List.copyOf(checksOn(nodeName).values())) {
            if (c.serviceId().equals(svc.id())) {
                HealthCheck updated = c.forService(stored);
                if (!updated.sameAs(c)) {
                    checksOn(nodeName).put(c.checkId(), updated.indexed(c.createIndex(), touch.index));
                    touch.check(updated);
                }
            }
        }
    }

    private void putCheck(String nodeName, HealthCheck c, Touch touch) {
        HealthCheck check = c;
        if (!c.serviceId().isEmpty()) {
            check = c.forService(servicesOn(nodeName).get(c.serviceId()));
        }
        TreeMap<String, HealthCheck> onNode = checks.computeIfAbsent(nodeName, n -> new TreeMap<>());
        HealthCheck old = onNode.get(check.checkId());
        if (check.status().equals(HealthCheck.UNCHANGED)) {
            // re-registering must not flap a healthy check to critical until its next probe
            check = old != null ? check.with(old.status(), old.output()) : check.with(HealthCheck.CRITICAL, "");
        }
        if (check.sameAs(old)) {
            return;
        }
        onNode.put(check.checkId(), check.indexed(old == null ? touch.index : old.createIndex(), touch.index));
        touch.check(check);
        if (old != null && !old.serviceId().equals(check.serviceId())) {
            touch.check(old);
        }
    }

    private CatalogCommand.Result deregister(CatalogCommand.Deregister d, Touch touch) {
        String nodeName = d.node();
        if (!nodes.containsKey(nodeName)) {
            return CatalogCommand.Result.OK;
        }
        if (d.checkId() != null && !d.checkId().isEmpty()) {
            HealthCheck gone = checksOn(nodeName).remove(d.checkId());
            if (gone != null) {
                touch.check(gone);
            }
        } else if (d.serviceId() != null && !d.serviceId().isEmpty()) {
            ServiceInstance gone = servicesOn(nodeName).remove(d.serviceId());
            if (gone != null) {
                unindex(gone);
                touch.service(nodeName, gone.service());
                checksOn(nodeName).values().removeIf(c -> {
                    if (c.serviceId().equals(gone.id())) {
                        touch.check(c);
                        return true;
                    }
                    return false;
                });
            }
        } else {
            for (HealthCheck c : checksOn(nodeName).values()) {
                touch.check(c);
            }
            for (ServiceInstance s : servicesOn(nodeName).values()) {
                touch.service(nodeName, s.service());
            }
            nodes.remove(nodeName);
            servicesOn(nodeName).values().forEach(this::unindex);
            services.remove(nodeName);
            checks.remove(nodeName);
            touch.node(nodeName);
        }
        return CatalogCommand.Result.OK;
    }

    private CatalogCommand.Result updateCheck(CatalogCommand.UpdateCheck u, Touch touch) {
        HealthCheck c = checksOn(u.node()).get(u.checkId());
        if (c == null) {
            return CatalogCommand.Result.refused("Unknown check ID \"" + u.checkId() + "\"");
        }
        if (c.status().equals(u.status()) && c.output().equals(u.output())) {
            return CatalogCommand.Result.OK;
        }
        HealthCheck updated = c.with(u.status(), u.output()).indexed(c.createIndex(), touch.index);
        checksOn(u.node()).put(c.checkId(), updated);
        touch.check(updated);
        return CatalogCommand.Result.OK;
    }

    private void index(ServiceInstance s) {
        byName.computeIfAbsent(s.service(), k -> new TreeMap<>()).put(s.node() + '\0' + s.id(), s);
    }

    private void unindex(ServiceInstance s) {
        TreeMap<String, ServiceInstance> m = byName.get(s.service());
        if (m != null) {
            m.remove(s.node() + '\0' + s.id());
            if (m.isEmpty()) {
                byName.remove(s.service());
            }
        }
    }

    private Map<String, ServiceInstance> servicesOn(String node) {
        return services.getOrDefault(node, EMPTY_SERVICES);
    }

    private Map<String, HealthCheck> checksOn(String node) {
        TreeMap<String, HealthCheck> m = checks.get(node);
        return m != null ? m : new TreeMap<>();
    }

    private static final TreeMap<String, ServiceInstance> EMPTY_SERVICES = new TreeMap<>();

    // ---------------------------------------------------------------- reads

    /** A read's result and the index a blocking query on it reports (at least 1). */
    public record Read<T>(T value, long index) {
    }

    /** One row of /v1/health/service: the instance, its node, node checks plus its own checks. */
    public record ServiceEntry(Node node, ServiceInstance service, List<HealthCheck> checks) {
        public String aggregateStatus() {
            return HealthCheck.aggregate(checks);
        }
    }

    public record NodeServices(Node node, List<ServiceInstance> services) {
    }

    public long index(String watchKey) {
        lock.readLock().lock();
        try {
            return indexLocked(watchKey);
        } finally {
            lock.readLock().unlock();
        }
    }

    private long indexLocked(String watchKey) {
        return Math.max(Math.max(1, floor), indexes.getOrDefault(watchKey, 0L));
    }

    public Read<List<Node>> nodes() {
        lock.readLock().lock();
        try {
            return new Read<>(List.copyOf(nodes.values()), indexLocked(WatchKeys.CATALOG_NODES));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The node and its services, or a null value for an unknown node. */
    public Read<NodeServices> node(String name) {
        lock.readLock().lock();
        try {
            Node n = nodes.get(name);
            NodeServices value = n == null ? null : new NodeServices(n, List.copyOf(servicesOn(name).values()));
            return new Read<>(value, indexLocked(WatchKeys.catalogNode(name)));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Service name -> the sorted union of its instances' tags. */
    public Read<Map<String, Set<String>>> services() {
        lock.readLock().lock();
        try {
            Map<String, Set<String>> out = new TreeMap<>();
            for (TreeMap<String, ServiceInstance> onNode : services.values()) {
                for (ServiceInstance s : onNode.values()) {
                    out.computeIfAbsent(s.service(), k -> new TreeSet<>()).addAll(s.tags());
                }
            }
            return new Read<>(out, indexLocked(WatchKeys.CATALOG_SERVICES));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Every instance of a service with its node and checks, ordered by node then service id. */
    public Read<List<ServiceEntry>> service(String name) {
        lock.readLock().lock();
        try {
            List<ServiceEntry> out = new ArrayList<>();
            // each involved node's checks are sorted out once, not once per instance on it
            Map<String, Map<String, List<HealthCheck>>> checksByNode = new HashMap<>();
            for (ServiceInstance s : byName.getOrDefault(name, EMPTY_SERVICES).values()) {
                Map<String, List<HealthCheck>> byService = checksByNode.computeIfAbsent(s.node(), this::checksByService);
                List<HealthCheck> cs = new ArrayList<>(byService.getOrDefault("", List.of()));
                cs.addAll(byService.getOrDefault(s.id(), List.of()));
                cs.sort(java.util.Comparator.comparing(HealthCheck::checkId));
                out.add(new ServiceEntry(nodes.get(s.node()), s, cs));
            }
            return new Read<>(out, indexLocked(WatchKeys.catalogService(name)));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A node's checks by service id ("" for node checks). */
    private Map<String, List<HealthCheck>> checksByService(String node) {
        Map<String, List<HealthCheck>> out = new HashMap<>();
        for (HealthCheck c : checksOn(node).values()) {
            out.computeIfAbsent(c.serviceId(), k -> new ArrayList<>()).add(c);
        }
        return out;
    }

    public Read<List<HealthCheck>> checksOfNode(String node) {
        lock.readLock().lock();
        try {
            return new Read<>(List.copyOf(checksOn(node).values()), indexLocked(WatchKeys.catalogNode(node)));
        } finally {
            lock.readLock().unlock();
        }
    }

    public Read<List<HealthCheck>> checksOfService(String name) {
        lock.readLock().lock();
        try {
            List<HealthCheck> out = new ArrayList<>();
            Map<String, Map<String, List<HealthCheck>>> checksByNode = new HashMap<>();
            for (ServiceInstance s : byName.getOrDefault(name, EMPTY_SERVICES).values()) {
                out.addAll(checksByNode.computeIfAbsent(s.node(), this::checksByService).getOrDefault(s.id(), List.of()));
            }
            return new Read<>(out, indexLocked(WatchKeys.catalogService(name)));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Checks in a state ({@code any} for all), ordered by node then check id. */
    public Read<List<HealthCheck>> checksInState(String state) {
        lock.readLock().lock();
        try {
            List<HealthCheck> out = new ArrayList<>();
            for (TreeMap<String, HealthCheck> onNode : checks.values()) {
                for (HealthCheck c : onNode.values()) {
                    if (state.equals("any") || c.status().equals(state)) {
                        out.add(c);
                    }
                }
            }
            return new Read<>(out, indexLocked(WatchKeys.CATALOG_CHECKS));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** One check, or null. */
    public HealthCheck check(String node, String checkId) {
        lock.readLock().lock();
        try {
            return checksOn(node).get(checkId);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** One service instance, or null. */
    public ServiceInstance serviceInstance(String node, String serviceId) {
        lock.readLock().lock();
        try {
            return servicesOn(node).get(serviceId);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Every check on a node (for the agent's check runners). */
    public List<HealthCheck> nodeChecks(String node) {
        lock.readLock().lock();
        try {
            return List.copyOf(checksOn(node).values());
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- snapshots

    /** {@code floor} is absent (0) in snapshots from before restores existed. */
    private record Snapshot(List<Node> nodes, List<ServiceInstance> services, List<HealthCheck> checks,
                            Map<String, Long> indexes, long floor) {
    }

    public long nodeCount() {
        lock.readLock().lock();
        try {
            return nodes.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    public long serviceCount() {
        lock.readLock().lock();
        try {
            return services.values().stream().mapToLong(Map::size).sum();
        } finally {
            lock.readLock().unlock();
        }
    }

    public long checkCount() {
        lock.readLock().lock();
        try {
            return checks.values().stream().mapToLong(Map::size).sum();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** After a restore at {@code index}: no query reports less, so none sees its index go backwards. */
    public void raiseFloor(long index) {
        lock.writeLock().lock();
        try {
            floor = Math.max(floor, index);
        } finally {
            lock.writeLock().unlock();
        }
    }

    public byte[] snapshot(ObjectMapper json) throws IOException {
        lock.readLock().lock();
        try {
            List<ServiceInstance> allServices = new ArrayList<>();
            services.values().forEach(m -> allServices.addAll(m.values()));
            List<HealthCheck> allChecks = new ArrayList<>();
            checks.values().forEach(m -> allChecks.addAll(m.values()));
            return json.writeValueAsBytes(new Snapshot(List.copyOf(nodes.values()), allServices, allChecks, indexes, floor));
        } finally {
            lock.readLock().unlock();
        }
    }

    public void restore(ObjectMapper json, byte[] data) throws IOException {
        Snapshot s = json.readValue(data, Snapshot.class);
        lock.writeLock().lock();
        try {
            nodes.clear();
            services.clear();
            byName.clear();
            checks.clear();
            indexes.clear();
            s.nodes().forEach(n -> nodes.put(n.name(), n));
            s.services().forEach(sv -> {
                services.computeIfAbsent(sv.node(), k -> new TreeMap<>()).put(sv.id(), sv);
                index(sv);
            });
            s.checks().forEach(c -> checks.computeIfAbsent(c.node(), k -> new TreeMap<>()).put(c.checkId(), c));
            indexes.putAll(s.indexes());
            floor = s.floor();
        } finally {
            lock.writeLock().unlock();
        }
    }
}

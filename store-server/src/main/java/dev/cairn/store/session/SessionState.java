package dev.cairn.store.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.CatalogState;
import dev.cairn.store.catalog.HealthCheck;
import dev.cairn.store.kv.KvState;
import dev.cairn.store.state.WatchKeys;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The session table and the rules that tie sessions to locks, changed only by {@link #apply} and
 * {@link #catalogChanged} in Raft order, so every server invalidates the same sessions at the same
 * index.
 *
 * <p>A session is invalidated when it is destroyed (explicitly, or by the leader when its TTL
 * runs out), when its node leaves the catalog, and when one of its checks is removed or goes
 * critical. Invalidating applies its behavior to every key it holds, through {@link KvState} so
 * that KV watchers wake: {@code release} clears the key's Session (LockIndex stays), {@code
 * delete} deletes the key. Keys it held then enter a {@link LockDelays lock-delay}.
 *
 * <p>Every session query reports one index, that of the last change to the table (deletes
 * included), under the single watch key {@link WatchKeys#SESSIONS}.
 */
public final class SessionState {

    private final KvState kv;
    private final CatalogState catalog;
    private final LockDelays lockDelays;
    private final TreeMap<String, Session> sessions = new TreeMap<>();
    private final Map<String, Set<String>> byNode = new HashMap<>();
    private long index;
    /** How many times the table was replaced wholesale; {@link SessionTimers} restarts its TTLs then. */
    private volatile long restores;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    public SessionState(KvState kv, CatalogState catalog) {
        this(kv, catalog, new LockDelays(System::nanoTime));
    }

    public SessionState(KvState kv, CatalogState catalog, LockDelays lockDelays) {
        this.kv = kv;
        this.catalog = catalog;
        this.lockDelays = lockDelays;
    }

    // ---------------------------------------------------------------- writes

    /** Applies a session command at {@code index}; adds the watch keys it changed to {@code changed}. */
    public SessionCommand.Result apply(SessionCommand command, long index, Collection<String> changed) {
        if (command instanceof SessionCommand.Create c) {
            return create(c.session(), index, changed);
        } else if (command instanceof SessionCommand.Destroy d) {
            invalidate(d.id(), index, changed);
            return SessionCommand.Result.OK;
        }
        return SessionCommand.Result.refused("unknown session command");
    }

    private SessionCommand.Result create(Session s, long at, Collection<String> changed) {
        String problem = problem(s);
        if (problem != null) {
            return SessionCommand.Result.refused(problem);
        }
        lock.writeLock().lock();
        try {
            if (sessions.containsKey(s.id())) {
                return SessionCommand.Result.refused("Session ID '" + s.id() + "' is already in use");
            }
            sessions.put(s.id(), s.indexed(at));
            byNode.computeIfAbsent(s.node(), n -> new TreeSet<>()).add(s.id());
            index = at;
        } finally {
            lock.writeLock().unlock();
        }
        changed.add(WatchKeys.SESSIONS);
        return SessionCommand.Result.OK;
    }

    /** Why the session cannot exist in the current catalog (Consul's wording), or null if it can. */
    private String problem(Session s) {
        if (catalog.node(s.node()).value() == null) {
            return "Missing node registration: node \"" + s.node() + "\" is not in the catalog";
        }
        for (String checkId : s.checkIds()) {
            HealthCheck c = catalog.check(s.node(), checkId);
            if (c == null) {
                return "Missing check '" + checkId + "' registration on node \"" + s.node() + "\"";
            }
            if (HealthCheck.CRITICAL.equals(c.status())) {
                return "Check '" + checkId + "' is in critical state";
            }
        }
        return null;
    }

    /**
     * After an applied catalog command: every session on the node it touched is checked again,
     * and invalidated if its node is gone or one of its checks is gone or critical.
     */
    public void catalogChanged(CatalogCommand command, long at, Collection<String> changed) {
        String node = nodeOf(command);
        List<String> ids;
        lock.readLock().lock();
        try {
            Set<String> onNode = byNode.get(node);
            if (onNode == null) {
                return;
            }
            ids = new ArrayList<>(onNode);
        } finally {
            lock.readLock().unlock();
        }
        for (String id : ids) {
            Session s = get(id).orElse(null);
            if (s != null && problem(s) != null) {
                invalidate(id, at, changed);
            }
        }
    }

    private static String nodeOf(CatalogCommand command) {
        if (command instanceof CatalogCommand.Register r) {
            return r.node().name();
        } else if (command instanceof CatalogCommand.Deregister d) {
            return d.node();
        } else if (command instanceof CatalogCommand.UpdateCheck u) {
            return u.node();
        }
        return "";
    }

    /** Removes the session and applies its behavior to the keys it holds; nothing for an unknown ID. */
    private void invalidate(String id, long at, Collection<String> changed) {
        Session s;
        lock.writeLock().lock();
        try {
            s = sessions.remove(id);
            if (s == null) {
                return;
            }
            Set<String> onNode = byNode.get(s.node());
            if (onNode != null) {
                onNode.remove(id);
                if (onNode.isEmpty()) {
                    byNode.remove(s.node());
                }
            }
            index = at;
        } finally {
            lock.writeLock().unlock();
        }
        changed.add(WatchKeys.SESSIONS);
        // the session lock is released first: KV applies take the KV lock, then ask exists()
        List<String> keys = kv.invalidateSession(id, s.deletesKeys(), at);
        for (String k : keys) {
            changed.add(WatchKeys.kv(k));
        }
        lockDelays.delay(keys, s.lockDelayNanos());
    }

    // ---------------------------------------------------------------- reads

    /** A read's result and the index a blocking query on it reports (at least 1). */
    public record Read<T>(T value, long index) {
    }

    /** Whether the session exists: the KV table's test for {@code acquire}. */
    public boolean exists(String id) {
        lock.readLock().lock();
        try {
            return sessions.containsKey(id);
        } finally {
            lock.readLock().unlock();
        }
    }

    public Optional<Session> get(String id) {
        lock.readLock().lock();
        try {
            return Optional.ofNullable(sessions.get(id));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The session (or none) as {@code /v1/session/info} reads it. */
    public Read<List<Session>> info(String id) {
        lock.readLock().lock();
        try {
            Session s = sessions.get(id);
            return new Read<>(s == null ? List.of() : List.of(s), Math.max(1, index));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Every session, ordered by ID. */
    public Read<List<Session>> list() {
        lock.readLock().lock();
        try {
            return new Read<>(List.copyOf(sessions.values()), Math.max(1, index));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The sessions of one node, ordered by ID. */
    public Read<List<Session>> onNode(String node) {
        lock.readLock().lock();
        try {
            List<Session> out = new ArrayList<>();
            for (String id : byNode.getOrDefault(node, Set.of())) {
                out.add(sessions.get(id));
            }
            return new Read<>(out, Math.max(1, index));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** True while a key released by an invalidation may not be acquired (checked before proposing). */
    public boolean lockDelayed(String key) {
        return lockDelays.delayed(key);
    }

    // ---------------------------------------------------------------- snapshots

    private record Snapshot(List<Session> sessions, long index) {
    }

    public byte[] snapshot(ObjectMapper json) throws IOException {
        lock.readLock().lock();
        try {
            return json.writeValueAsBytes(new Snapshot(List.copyOf(sessions.values()), index));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Replaces the table; an empty {@code data} (a snapshot from before sessions) empties it. */
    public void restore(ObjectMapper json, byte[] data) throws IOException {
        Snapshot s = data.length == 0 ? new Snapshot(List.of(), 0) : json.readValue(data, Snapshot.class);
        lock.writeLock().lock();
        try {
            sessions.clear();
            byNode.clear();
            for (Session session : s.sessions()) {
                sessions.put(session.id(), session);
                byNode.computeIfAbsent(session.node(), n -> new TreeSet<>()).add(session.id());
            }
            index = s.index();
            restores++;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Changes whenever {@link #restore} replaced the table (local, not replicated). */
    public long restores() {
        return restores;
    }

    /** After a snapshot restore at {@code at}: session queries report at least that index. */
    public void raiseFloor(long at) {
        lock.writeLock().lock();
        try {
            index = Math.max(index, at);
        } finally {
            lock.writeLock().unlock();
        }
    }
}

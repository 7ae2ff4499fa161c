package dev.cairn.store.kv;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * The key/value table. Changed only by {@link #apply}, which the Raft state machine calls in log
 * order, so every server holds the same table.
 *
 * <p>Index rules (what a blocking query compares against):
 * <ul>
 *   <li>a key's index is its {@code ModifyIndex}; a deleted key keeps a tombstone holding the index
 *       of its delete, so a query on a missing key or a prefix wakes when something is deleted and
 *       the index never goes backwards;</li>
 *   <li>tombstones are reaped in bulk once there are too many, deterministically inside apply; the
 *       reaped ones fold into {@code tombstoneFloor}, the least index any read reports, so indexes
 *       still never go backwards (at worst a reader sees one spurious index bump);</li>
 *   <li>a snapshot restore raises {@code tombstoneFloor} to its own index: entries keep the
 *       ModifyIndex they were saved with, but every read reports at least the restore's index.</li>
 * </ul>
 * Reads take the read lock so that a recursive read never sees half of a transaction.
 */
public final class KvState {

    static final int MAX_TOMBSTONES = 100_000;

    private final NavigableMap<String, KvEntry> entries = new TreeMap<>();
    private final NavigableMap<String, Long> tombstones = new TreeMap<>();
    private long tombstoneFloor;
    /** session -> keys it holds locked; derived from {@link #entries}, so not in snapshots. */
    private final Map<String, NavigableSet<String>> lockedBy = new HashMap<>();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile Predicate<String> sessionIsValid = session -> false;

    /** Sessions live in another table; KV locks ask it whether a session exists. */
    public void sessionValidator(Predicate<String> validator) {
        this.sessionIsValid = validator;
    }

    // ---------------------------------------------------------------- reads

    /** A point-in-time answer to a read: the matching entries and the index to report. */
    public record Read(List<KvEntry> entries, long index) {
    }

    public Read get(String key) {
        lock.readLock().lock();
        try {
            KvEntry e = entries.get(key);
            if (e != null) {
                return new Read(List.of(e), Math.max(tombstoneFloor, e.modifyIndex()));
            }
            return new Read(List.of(), Math.max(1, Math.max(tombstoneFloor, tombstones.getOrDefault(key, 0L))));
        } finally {
            lock.readLock().unlock();
        }
    }

    public Read list(String prefix) {
        lock.readLock().lock();
        try {
            long index = tombstoneFloor;
            List<KvEntry> found = new ArrayList<>();
            for (KvEntry e : subMap(entries, prefix).values()) {
                found.add(e);
                index = Math.max(index, e.modifyIndex());
            }
            for (long deletedAt : subMap(tombstones, prefix).values()) {
                index = Math.max(index, deletedAt);
            }
            return new Read(found, Math.max(1, index));
        } finally {
            lock.readLock().unlock();
        }
    }

    public int size() {
        lock.readLock().lock();
        try {
            return entries.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    static <V> NavigableMap<String, V> subMap(NavigableMap<String, V> map, String prefix) {
        if (prefix.isEmpty()) {
            return map;
        }
        // every string that starts with prefix sorts before prefix + U+FFFF
        return map.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
    }

    /** Evaluates a transaction of read verbs only, against committed state; changes nothing. */
    public TxnResult read(List<KvOp> ops) {
        lock.readLock().lock();
        try {
            TxnOverlay overlay = new TxnOverlay(entries, sessionIsValid, 0);
            List<TxnResult.TxnError> errors = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                String error = overlay.apply(i, ops.get(i));
                if (error != null) {
                    errors.add(new TxnResult.TxnError(i, error));
                }
            }
            long index = Math.max(1, tombstoneFloor);
            for (TxnResult.OpResult r : overlay.results()) {
                index = Math.max(index, r.entry().modifyIndex());
            }
            return errors.isEmpty() ? TxnResult.committed(overlay.results(), index)
                    : TxnResult.rolledBack(errors, index);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- writes

    /**
     * Applies one transaction atomically at Raft index {@code index}: every operation is checked
     * against the state as changed by the operations before it; if any fails, nothing changes.
     * Keys whose entry changed are added to {@code changedKeys}.
     */
    public TxnResult apply(List<KvOp> ops, long index, Collection<String> changedKeys) {
        lock.writeLock().lock();
        try {
            TxnOverlay overlay = new TxnOverlay(entries, sessionIsValid, index);
            List<TxnResult.TxnError> errors = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                String error = overlay.apply(i, ops.get(i));
                if (error != null) {
                    errors.add(new TxnResult.TxnError(i, error));
                }
            }
            if (!errors.isEmpty()) {
                return TxnResult.rolledBack(errors, index);
            }
            commit(overlay.pending(), index, changedKeys);
            return TxnResult.committed(overlay.results(), index);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void commit(Map<String, KvEntry> pending, long index, Collection<String> changedKeys) {
        for (Map.Entry<String, KvEntry> change : pending.entrySet()) {
            String key = change.getKey();
            KvEntry now = change.getValue();
            if (now == null) {
                KvEntry gone = entries.remove(key);
                if (gone != null) {
                    unlocked(gone);
                    tombstones.put(key, index);
                    changedKeys.add(key);
                }
            } else {
                unlocked(entries.put(key, now));
                locked(now);
                tombstones.remove(key);
                changedKeys.add(key);
            }
        }
        if (tombstones.size() > MAX_TOMBSTONES) {
            for (long deletedAt : tombstones.values()) {
                tombstoneFloor = Math.max(tombstoneFloor, deletedAt);
            }
            tombstones.clear();
        }
    }

    private void locked(KvEntry e) {
        if (e.locked()) {
            lockedBy.computeIfAbsent(e.session(), s -> new TreeSet<>()).add(e.key());
        }
    }

    private void unlocked(KvEntry e) {
        if (e != null && e.locked()) {
            NavigableSet<String> keys = lockedBy.get(e.session());
            if (keys != null && keys.remove(e.key()) && keys.isEmpty()) {
                lockedBy.remove(e.session());
            }
        }
    }

    /**
     * Applies an invalidated session's behavior at {@code index} to every key it holds: release
     * (clear Session, keep LockIndex) or, with {@code delete}, delete the keys. Returns the keys
     * changed, in key order. Called by the session table in Raft order.
     */
    public List<String> invalidateSession(String session, boolean delete, long index) {
        lock.writeLock().lock();
        try {
            NavigableSet<String> held = lockedBy.get(session);
            if (held == null) {
                return List.of();
            }
            Map<String, KvEntry> pending = new TreeMap<>();
            for (String key : held) {
                KvEntry e = entries.get(key);
                pending.put(key, delete ? null : e.withLock("", e.lockIndex(), index));
            }
            List<String> changed = new ArrayList<>();
            commit(pending, index, changed);
            return changed;
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ---------------------------------------------------------------- snapshots

    /** After a restore at {@code index}: no read reports less (see the class comment). */
    public void raiseFloor(long index) {
        lock.writeLock().lock();
        try {
            tombstoneFloor = Math.max(tombstoneFloor, index);
        } finally {
            lock.writeLock().unlock();
        }
    }

    public void writeTo(DataOutput out) throws IOException {
        lock.readLock().lock();
        try {
            out.writeLong(tombstoneFloor);
            out.writeInt(entries.size());
            for (KvEntry e : entries.values()) {
                Codec.writeEntry(out, e);
            }
            out.writeInt(tombstones.size());
            for (Map.Entry<String, Long> t : tombstones.entrySet()) {
                Codec.writeString(out, t.getKey());
                out.writeLong(t.getValue());
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    public void readFrom(DataInput in) throws IOException {
        lock.writeLock().lock();
        try {
            entries.clear();
            tombstones.clear();
            lockedBy.clear();
            tombstoneFloor = in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                KvEntry e = Codec.readEntry(in);
                entries.put(e.key(), e);
                locked(e);
            }
            int t = in.readInt();
            for (int i = 0; i < t; i++) {
                tombstones.put(Codec.readString(in), in.readLong());
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}

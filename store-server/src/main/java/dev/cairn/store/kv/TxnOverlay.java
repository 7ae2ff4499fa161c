package dev.cairn.store.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The changes of one transaction in progress, seen on top of the committed entries. A {@code null}
 * value in {@link #pending} marks a key deleted by this transaction. Error texts follow Consul's.
 */
final class TxnOverlay {

    private final NavigableMap<String, KvEntry> base;
    private final NavigableMap<String, KvEntry> pending = new TreeMap<>();
    private final List<TxnResult.OpResult> results = new ArrayList<>();
    private final Predicate<String> sessionIsValid;
    private final long index;

    TxnOverlay(NavigableMap<String, KvEntry> base, Predicate<String> sessionIsValid, long index) {
        this.base = base;
        this.sessionIsValid = sessionIsValid;
        this.index = index;
    }

    Map<String, KvEntry> pending() {
        return pending;
    }

    List<TxnResult.OpResult> results() {
        return results;
    }

    private KvEntry current(String key) {
        return pending.containsKey(key) ? pending.get(key) : base.get(key);
    }

    /** Applies one operation to the overlay; returns an error text, or null on success. */
    String apply(int opIndex, KvOp op) {
        String key = op.key();
        KvEntry cur = current(key);
        switch (op.verb()) {
            case SET -> put(opIndex, upsert(cur, key, op.value(), op.flags()));
            case CAS -> {
                boolean ok = op.index() == 0 ? cur == null : cur != null && cur.modifyIndex() == op.index();
                if (!ok) {
                    return "failed to set key \"" + key + "\", index is stale";
                }
                put(opIndex, upsert(cur, key, op.value(), op.flags()));
            }
            case LOCK -> {
                if (!sessionIsValid.test(op.session())) {
                    return "invalid session \"" + op.session() + "\"";
                }
                if (cur != null && cur.locked() && !cur.session().equals(op.session())) {
                    return "failed to lock key \"" + key + "\", lock is already held";
                }
                KvEntry written = upsert(cur, key, op.value(), op.flags());
                boolean alreadyHeld = cur != null && op.session().equals(cur.session());
                long lockIndex = (cur == null ? 0 : cur.lockIndex()) + (alreadyHeld ? 0 : 1);
                put(opIndex, written.withLock(op.session(), lockIndex, index));
            }
            case UNLOCK -> {
                if (cur == null || !op.session().equals(cur.session())) {
                    return "failed to unlock key \"" + key + "\", lock isn't held, or is held by another session";
                }
                put(opIndex, upsert(cur, key, op.value(), op.flags()).withLock("", cur.lockIndex(), index));
            }
            case GET -> {
                if (cur == null) {
                    return "key \"" + key + "\" doesn't exist";
                }
                results.add(new TxnResult.OpResult(opIndex, cur));
            }
            case GET_OR_EMPTY -> {
                if (cur != null) {
                    results.add(new TxnResult.OpResult(opIndex, cur));
                }
            }
            case GET_TREE -> {
                for (KvEntry e : tree(key)) {
                    results.add(new TxnResult.OpResult(opIndex, e));
                }
            }
            case CHECK_INDEX -> {
                if (cur == null) {
                    return "key \"" + key + "\" doesn't exist";
                }
                if (cur.modifyIndex() != op.index()) {
                    return "current modify index " + cur.modifyIndex() + " != " + op.index();
                }
                results.add(new TxnResult.OpResult(opIndex, cur));
            }
            case CHECK_SESSION -> {
                String held = cur == null ? "" : cur.session();
                if (cur == null || !held.equals(op.session())) {
                    return "failed session check for key \"" + key + "\", current session \"" + held
                            + "\" != \"" + op.session() + "\"";
                }
                results.add(new TxnResult.OpResult(opIndex, cur));
            }
            case CHECK_NOT_EXISTS -> {
                if (cur != null) {
                    return "key \"" + key + "\" exists";
                }
            }
            case DELETE -> pending.put(key, null);
            case DELETE_TREE -> {
                for (KvEntry e : tree(key)) {
                    pending.put(e.key(), null);
                }
            }
            case DELETE_CAS -> {
                if (cur == null || op.index() == 0 || cur.modifyIndex() != op.index()) {
                    return "failed to delete key \"" + key + "\", index is stale";
                }
                pending.put(key, null);
            }
        }
        return null;
    }

    private KvEntry upsert(KvEntry cur, String key, byte[] value, long flags) {
        if (cur == null) {
            return new KvEntry(key, value, flags, index, index, 0, "");
        }
        return cur.withValue(value, flags, index);
    }

    private void put(int opIndex, KvEntry e) {
        pending.put(e.key(), e);
        results.add(new TxnResult.OpResult(opIndex, e));
    }

    /** Every live entry under prefix, merging committed entries with this transaction's changes. */
    private List<KvEntry> tree(String prefix) {
        TreeMap<String, KvEntry> merged = new TreeMap<>(KvState.subMap(base, prefix));
        for (Map.Entry<String, KvEntry> p : KvState.subMap(pending, prefix).entrySet()) {
            if (p.getValue() == null) {
                merged.remove(p.getKey());
            } else {
                merged.put(p.getKey(), p.getValue());
            }
        }
        return new ArrayList<>(merged.values());
    }

}

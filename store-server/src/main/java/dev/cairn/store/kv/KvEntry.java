package dev.cairn.store.kv;

/**
 * One stored key, immutable. Field meanings follow Consul's DirEntry: {@code modifyIndex} and
 * {@code createIndex} are Raft log indexes, {@code lockIndex} counts lock acquisitions.
 */
public record KvEntry(String key, byte[] value, long flags, long createIndex, long modifyIndex,
                      long lockIndex, String session) {

    public KvEntry {
        if (value == null) {
            value = new byte[0];
        }
    }

    public boolean locked() {
        return session != null && !session.isEmpty();
    }

    KvEntry withValue(byte[] newValue, long newFlags, long index) {
        return new KvEntry(key, newValue, newFlags, createIndex, index, lockIndex, session);
    }

    KvEntry withLock(String newSession, long newLockIndex, long index) {
        return new KvEntry(key, value, flags, createIndex, index, newLockIndex, newSession);
    }
}

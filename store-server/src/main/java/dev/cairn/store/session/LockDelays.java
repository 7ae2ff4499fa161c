package dev.cairn.store.session;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Keys that may not be acquired yet because the session holding them was invalidated less than
 * its LockDelay ago. As in Consul ({@code state.KVSLockDelay}), this is local wall-clock state,
 * not replicated state: it is recorded while applying the invalidation but only consulted by the
 * HTTP handlers before they propose an acquire, so apply itself stays deterministic.
 */
public final class LockDelays {

    private final Map<String, Long> until = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    public LockDelays(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    void delay(Collection<String> keys, long delayNanos) {
        if (delayNanos <= 0 || keys.isEmpty()) {
            return;
        }
        long expires = nanoClock.getAsLong() + delayNanos;
        for (String k : keys) {
            until.merge(k, expires, Math::max);
        }
        if (until.size() > 1024) {
            long now = nanoClock.getAsLong();
            until.values().removeIf(t -> t - now <= 0);
        }
    }

    /** True while {@code key} is in a lock-delay: an acquire of it must answer false. */
    public boolean delayed(String key) {
        Long t = until.get(key);
        if (t == null) {
            return false;
        }
        if (t - nanoClock.getAsLong() > 0) {
            return true;
        }
        until.remove(key, t);
        return false;
    }
}

package dev.cairn.store.http;

import dev.cairn.store.state.ChangeListener;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where parked blocking queries wait for the writes that concern them. A query registers the
 * exact watch keys and the prefixes it read; a write announces the keys it changed, and only the
 * registrations whose key equals, or whose prefix starts, a changed key fire. A registration fires
 * at most once; the query re-registers if it has to keep waiting.
 *
 * <p>{@link #changed} runs on the Raft apply thread, so firing only hands callbacks on (they
 * hop to an I/O thread themselves); it never evaluates a query here.
 */
public final class WatchHub implements ChangeListener {

    /** What a query read: exact keys and key prefixes, in {@link dev.cairn.store.state.WatchKeys} form. */
    public record Spec(List<String> keys, List<String> prefixes) {
        public static Spec key(String key) {
            return new Spec(List.of(key), List.of());
        }

        public static Spec prefix(String prefix) {
            return new Spec(List.of(), List.of(prefix));
        }
    }

    /** A registration; cancel it when the query is answered another way. */
    public final class Registration {
        private final Spec spec;
        private final Runnable callback;
        private final AtomicBoolean done = new AtomicBoolean();

        private Registration(Spec spec, Runnable callback) {
            this.spec = spec;
            this.callback = callback;
        }

        private void fire() {
            if (done.compareAndSet(false, true)) {
                callback.run();
            }
        }

        public void cancel() {
            if (done.compareAndSet(false, true)) {
                spec.keys().forEach(k -> remove(exact, k, this));
                spec.prefixes().forEach(p -> remove(prefixes, p, this));
            }
        }
    }

    private final Map<String, Set<Registration>> exact = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger parked = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, Set<Registration>> prefixes = new ConcurrentHashMap<>();

    public Registration register(Spec spec, Runnable callback) {
        Registration r = new Registration(spec, callback);
        spec.keys().forEach(k -> add(exact, k, r));
        spec.prefixes().forEach(p -> add(prefixes, p, r));
        return r;
    }

    // adding inside compute() keeps a concurrent changed() from removing the set between our
    // lookup and our add, which would strand the registration in a set nobody fires
    private static void add(Map<String, Set<Registration>> map, String key, Registration r) {
        map.compute(key, (k, set) -> {
            Set<Registration> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            s.add(r);
            return s;
        });
    }

    private static void remove(Map<String, Set<Registration>> map, String key, Registration r) {
        map.computeIfPresent(key, (k, set) -> {
            set.remove(r);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public void changed(Collection<String> watchKeys) {
        for (String key : watchKeys) {
            fireAll(exact.remove(key));
            if (prefixes.isEmpty()) {
                continue;
            }
            if (prefixes.size() <= key.length()) {
                for (String p : prefixes.keySet()) {
                    if (key.startsWith(p)) {
                        fireAll(prefixes.remove(p));
                    }
                }
            } else {
                for (int len = 0; len <= key.length(); len++) {
                    fireAll(prefixes.remove(key.substring(0, len)));
                }
            }
        }
    }

    @Override
    public void everythingChanged() {
        for (String k : exact.keySet()) {
            fireAll(exact.remove(k));
        }
        for (String p : prefixes.keySet()) {
            fireAll(prefixes.remove(p));
        }
    }

    private static void fireAll(Set<Registration> regs) {
        if (regs != null) {
            regs.forEach(Registration::fire);
        }
    }

    /** Blocking queries parked now; {@link BlockingQuery} counts itself in and out. */
    public int parkedQueries() {
        return parked.get();
    }

    void parked(int delta) {
        parked.addAndGet(delta);
    }

    /** Registrations currently waiting (for tests and metrics). */
    public int waiting() {
        return exact.values().stream().mapToInt(Set::size).sum()
                + prefixes.values().stream().mapToInt(Set::size).sum();
    }
}

package dev.cairn.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A lock on one key held through a session, as Consul's {@code api.Lock}: the key carries
 * {@link #LOCK_FLAG} so that locks and other uses of a key are told apart, waiting is a blocking
 * query on the key, and a failed acquire on an unheld key means a lock-delay, retried after
 * {@link #LOCK_DELAY_RETRY}.
 */
public final class KvLock {

    /** Consul's api.LockFlagValue: a Go lock and a Cairn lock on the same key interoperate. */
    public static final long LOCK_FLAG = 0x2ddccbc058a50c18L;
    static final Duration LOCK_DELAY_RETRY = Duration.ofSeconds(5);
    static final Duration MAX_WAIT = Duration.ofMinutes(5);

    private final CairnClient http;
    private final String key;
    private final String session;

    public KvLock(CairnClient http, String key, String session) {
        this.http = http;
        this.key = key;
        this.session = session;
    }

    /** The key's entry and the index to block on next. */
    private record Read(Optional<KvPair> pair, long index) {
    }

    private Read read(long waitIndex, Duration wait) {
        Map<String, String> q = CairnClient.query();
        Duration timeout = null;
        if (waitIndex > 0) {
            q.put("index", Long.toUnsignedString(waitIndex));
            // never "0ms": the server reads a zero wait as its 5 minute default
            q.put("wait", Math.max(1, wait.toMillis()) + "ms");
            // the server may hold a query up to wait*17/16; leave room for the answer
            timeout = wait.plus(wait.dividedBy(16)).plusSeconds(5);
        }
        CairnClient.Response r = http.call("GET", path(), q, null, timeout);
        long index = r.index().orElse(0);
        if (r.notFound()) {
            return new Read(Optional.empty(), index);
        }
        List<KvPair> pairs = new ArrayList<>();
        r.ok().json().forEach(n -> pairs.add(KvPair.fromJson(n)));
        return new Read(pairs.stream().findFirst(), index);
    }

    /** Thrown when the key exists but was not written by a lock. */
    public static final class ConflictException extends RuntimeException {
        ConflictException(String key) {
            super("existing key " + key + " does not match lock use (its flags are not the lock flag)");
        }
    }

    /**
     * Waits until the lock is held, or until {@code timeout} (null or zero: forever) has passed.
     * Returns false on timeout.
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        long deadline = timeout == null || timeout.isZero() ? 0 : System.nanoTime() + timeout.toNanos();
        long waitIndex = 0;
        while (true) {
            Duration left = remaining(deadline);
            if (left.isZero()) {
                return false;
            }
            Read r = read(waitIndex, min(left, MAX_WAIT));
            checkInterrupted();
            if (r.pair().isPresent()) {
                KvPair p = r.pair().get();
                if (p.flags() != LOCK_FLAG) {
                    throw new ConflictException(key);
                }
                if (p.session().equals(session)) {
                    return true;
                }
                if (!p.session().isEmpty()) {
                    waitIndex = r.index();
                    continue;
                }
            }
            if (tryAcquire()) {
                return true;
            }
            Read why = read(0, Duration.ZERO);
            if (why.pair().isPresent() && !why.pair().get().session().isEmpty()) {
                waitIndex = why.index();
            } else {
                // nobody holds it, yet the acquire failed: a lock-delay; Consul waits a fixed time
                Thread.sleep(min(remaining(deadline), LOCK_DELAY_RETRY).toMillis());
                waitIndex = 0;
            }
        }
    }

    private boolean tryAcquire() {
        Map<String, String> q = CairnClient.query();
        q.put("acquire", session);
        q.put("flags", Long.toUnsignedString(LOCK_FLAG));
        return http.put(path(), q, new byte[0]).ok().text().contains("true");
    }

    /**
     * Blocks until the lock is no longer held by our session (key deleted, released, or its session
     * invalidated). Returns normally only then; interrupting the thread ends it with an exception.
     */
    public void awaitLoss() throws InterruptedException {
        long index = 0;
        int failures = 0;
        while (true) {
            checkInterrupted();
            Read r;
            try {
                r = read(index, MAX_WAIT);
                failures = 0;
            } catch (UnreachableException | ApiException e) {
                checkInterrupted();
                // as consul lock's -monitor-retry: ride out a short outage before giving up
                if (++failures > 3) {
                    return;
                }
                Thread.sleep(1000);
                continue;
            }
            if (r.pair().isEmpty() || !r.pair().get().session().equals(session)) {
                return;
            }
            index = r.index();
        }
    }

    /** Releases the lock if we hold it; false if we did not. */
    public boolean release() {
        Map<String, String> q = CairnClient.query();
        q.put("release", session);
        q.put("flags", Long.toUnsignedString(LOCK_FLAG));
        return http.put(path(), q, new byte[0]).ok().text().contains("true");
    }

    /** Deletes the lock key if nobody holds it (Consul's Lock.Destroy); best effort. */
    public void deleteIfUnheld() {
        Read r = read(0, Duration.ZERO);
        if (r.pair().isPresent() && r.pair().get().flags() == LOCK_FLAG && r.pair().get().session().isEmpty()) {
            Map<String, String> q = CairnClient.query();
            q.put("cas", Long.toUnsignedString(r.pair().get().modifyIndex()));
            http.delete(path(), q).ok();
        }
    }

    private String path() {
        return "/v1/kv/" + CairnClient.encodePath(key);
    }

    private static void checkInterrupted() throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException();
        }
    }

    private static Duration remaining(long deadline) {
        if (deadline == 0) {
            return MAX_WAIT;
        }
        long left = deadline - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}

package dev.cairn.store.session;

import dev.cairn.store.state.Command;
import dev.cairn.store.state.Consensus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Session TTLs. Expiry is not decided inside apply (wall-clock time would make replicas differ):
 * as in Consul, the Raft leader keeps a deadline per session with a TTL and, when one passes,
 * proposes {@link SessionCommand.Destroy}; every replica then invalidates the session at the same
 * log index. A renew resets the deadline.
 *
 * <p>Deadlines are the leader's memory only. A server that is not the leader keeps none, so when
 * it becomes leader every session starts again from its full TTL (Consul does the same after an
 * election: a session is never expired early, only late). A session is destroyed once it has gone
 * unrenewed for its TTL plus a grace of a tenth of it (at least a second): Consul allows up to
 * twice the TTL, and clients renew every TTL/2.
 *
 * <p>A renew that lands on a follower is passed on to the leader (Consul forwards it over RPC).
 *
 * <p>A snapshot restore replaces the session table; every restored session then starts again
 * from its full TTL, as after an election.
 *
 * <p>One thread {@link #tick ticks} a few times a second; tests call tick with a fake clock.
 */
public final class SessionTimers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionTimers.class);
    static final long TICK_MILLIS = 200;

    private final SessionState sessions;
    private final Consensus consensus;
    private final LongSupplier nanoClock;
    /** session id -> System.nanoTime-style deadline; only filled while leader */
    private final Map<String, Long> deadlines = new ConcurrentHashMap<>();
    private final Set<String> destroying = ConcurrentHashMap.newKeySet();
    private volatile boolean leader;
    private long restoresSeen;
    private ScheduledExecutorService ticker;

    public SessionTimers(SessionState sessions, Consensus consensus, LongSupplier nanoClock) {
        this.sessions = sessions;
        this.consensus = consensus;
        this.nanoClock = nanoClock;
    }

    /** Starts ticking on a daemon thread. */
    public static SessionTimers start(SessionState sessions, Consensus consensus) {
        SessionTimers t = new SessionTimers(sessions, consensus, System::nanoTime);
        t.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "cairn-session-ttl");
            th.setDaemon(true);
            return th;
        });
        t.ticker.scheduleWithFixedDelay(t::tickSafely, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        return t;
    }

    /** How long a session may go unrenewed before the leader destroys it. */
    static long allowanceNanos(Duration ttl) {
        long grace = Math.max(Duration.ofSeconds(1).toNanos(), ttl.toNanos() / 10);
        return ttl.toNanos() + grace;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("session TTL check failed: {}", e.toString());
        }
    }

    /** Tracks sessions with a TTL while leader and proposes the destroy of each expired one. */
    void tick() {
        if (!consensus.isLeader()) {
            if (leader) {
                LOG.info("no longer the leader: session TTL timers stop");
            }
            leader = false;
            deadlines.clear();
            return;
        }
        if (!leader) {
            LOG.info("leader: session TTL timers start from each session's full TTL");
            leader = true;
        }
        if (sessions.restores() != restoresSeen) {
            // a snapshot restore replaced the table: its sessions get their full TTL from now,
            // even those whose IDs we were already timing (their renewals were of another life)
            restoresSeen = sessions.restores();
            deadlines.clear();
        }
        long now = nanoClock.getAsLong();
        List<Session> all = sessions.list().value();
        Set<String> live = new HashSet<>();
        for (Session s : all) {
            Duration ttl = s.ttlDuration();
            if (ttl.isZero() || ttl.isNegative()) {
                continue;
            }
            live.add(s.id());
            long deadline = deadlines.computeIfAbsent(s.id(), id -> now + allowanceNanos(ttl));
            if (now - deadline >= 0 && destroying.add(s.id())) {
                LOG.info("session {} expired (TTL {} not renewed); destroying it", s.id(), s.ttl());
                consensus.submit(new Command.Session(new SessionCommand.Destroy(s.id())))
                        .whenComplete((r, error) -> {
                            destroying.remove(s.id());
                            if (error != null) {
                                LOG.warn("destroying expired session {} failed ({}); will retry", s.id(),
                                        error.getMessage());
                            }
                        });
            }
        }
        deadlines.keySet().retainAll(live);
    }

    /** Restarts the session's TTL; returns the session, or null if it does not exist. */
    public Session renew(String id) {
        Session s = sessions.get(id).orElse(null);
        if (s == null) {
            return null;
        }
        Duration ttl = s.ttlDuration();
        if (leader && !ttl.isZero() && !ttl.isNegative()) {
            deadlines.put(id, nanoClock.getAsLong() + allowanceNanos(ttl));
        }
        return s;
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }
}

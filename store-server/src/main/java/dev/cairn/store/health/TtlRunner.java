package dev.cairn.store.health;

import dev.cairn.store.catalog.HealthCheck;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A TTL check: nothing is probed; the check turns critical ("TTL expired") when no heartbeat came
 * within the TTL of the last one, or of the runner's start. A heartbeat only moves the clock (the
 * agent endpoint writes the new status itself), so one scheduled task per check is enough: when
 * it fires early because of a heartbeat, it re-arms for the time left.
 */
final class TtlRunner extends CheckRunner {

    static final String EXPIRED = "TTL expired";

    private final long ttlNanos;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier ticker;
    private volatile long lastBeat;
    private ScheduledFuture<?> next;

    TtlRunner(HealthCheck check, CheckReporter reporter, Duration ttl, ScheduledExecutorService scheduler,
              LongSupplier ticker) {
        super(check, reporter);
        this.ttlNanos = ttl.toNanos();
        this.scheduler = scheduler;
        this.ticker = ticker;
    }

    @Override
    void start() {
        lastBeat = ticker.getAsLong();
        schedule(ttlNanos);
    }

    @Override
    void heartbeat() {
        lastBeat = ticker.getAsLong();
    }

    @Override
    synchronized void stop() {
        super.stop();
        if (next != null) {
            next.cancel(false);
        }
    }

    /** Nanoseconds until expiry; zero or less once expired. */
    long remaining() {
        return ttlNanos - (ticker.getAsLong() - lastBeat);
    }

    /** Marks the check critical if the TTL ran out; re-arms either way. Package-private for tests. */
    void check() {
        if (stopped) {
            return;
        }
        long left = remaining();
        if (left > 0) {
            schedule(left);
            return;
        }
        // the heartbeat is re-checked just before proposing: the agent endpoint records a heartbeat
        // before it proposes the new status, so only a pass arriving in the instant between this
        // re-check and our proposal can be overtaken by the expiry
        reporter.report(check.checkId(), CheckResult.critical(EXPIRED), () -> !stopped && remaining() <= 0)
                .whenComplete((v, e) -> schedule(ttlNanos));
    }

    private synchronized void schedule(long delayNanos) {
        if (stopped) {
            return;
        }
        try {
            next = scheduler.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            stopped = true;
        }
    }
}

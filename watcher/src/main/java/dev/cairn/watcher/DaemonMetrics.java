package dev.cairn.watcher;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * What the daemon has done, as counters that only go up (Prometheus-style), plus the number of
 * queries watched now. For tests and for a status endpoint to publish.
 */
public final class DaemonMetrics {

    final AtomicLong renders = new AtomicLong();
    final AtomicLong renderErrors = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong checkFailures = new AtomicLong();
    final AtomicLong commandFailures = new AtomicLong();
    final AtomicLong writeFailures = new AtomicLong();
    final AtomicLong changeToWriteNanos = new AtomicLong();
    private final IntSupplier watchedQueries;

    DaemonMetrics(IntSupplier watchedQueries) {
        this.watchedQueries = watchedQueries;
    }

    /** Renders done (complete or not). */
    public long renders() {
        return renders.get();
    }

    /** Renders that failed (a template error at render time, or a missing key with error_on_missing_key). */
    public long renderErrors() {
        return renderErrors.get();
    }

    /** Destinations replaced. */
    public long writes() {
        return writes.get();
    }

    public long checkFailures() {
        return checkFailures.get();
    }

    public long commandFailures() {
        return commandFailures.get();
    }

    public long writeFailures() {
        return writeFailures.get();
    }

    /** The sum over all writes of the time from a change being seen to its file being in place. */
    public Duration changeToWriteTotal() {
        return Duration.ofNanos(changeToWriteNanos.get());
    }

    /** Distinct store queries watched now: one blocking-query loop each. */
    public int watchedQueries() {
        return watchedQueries.getAsInt();
    }
}

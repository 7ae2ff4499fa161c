package dev.cairn.watcher;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;

/**
 * What the daemon has done, as counters that only go up (Prometheus-style), in total and per
 * template (keyed by destination), plus the number of queries watched now. For tests and for
 * {@link StatusServer} to publish.
 */
public final class DaemonMetrics {

    /** Upper bounds, in seconds, of the change-to-write histogram's buckets (+Inf is implied). */
    public static final double[] CHANGE_TO_WRITE_BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

    final AtomicLong renders = new AtomicLong();
    final AtomicLong renderErrors = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong checkFailures = new AtomicLong();
    final AtomicLong commandFailures = new AtomicLong();
    final AtomicLong writeFailures = new AtomicLong();
    final AtomicLong changeToWriteNanos = new AtomicLong();
    private final ConcurrentMap<String, PerTemplate> byTemplate = new ConcurrentHashMap<>();
    private final IntSupplier watchedQueries;

    DaemonMetrics(IntSupplier watchedQueries) {
        this.watchedQueries = watchedQueries;
    }

    /** One template's counters; {@code changeToWrite} is a histogram over {@link #CHANGE_TO_WRITE_BUCKETS}. */
    public static final class PerTemplate {
        final AtomicLong renders = new AtomicLong();
        final AtomicLong renderErrors = new AtomicLong();
        final AtomicLong writes = new AtomicLong();
        final AtomicLong checkFailures = new AtomicLong();
        final AtomicLong commandFailures = new AtomicLong();
        final AtomicLong writeFailures = new AtomicLong();
        final AtomicLong changeToWriteNanos = new AtomicLong();
        /** Writes per bucket, not cumulative; the last slot is beyond the largest bound. */
        final AtomicLongArray changeToWriteBuckets = new AtomicLongArray(CHANGE_TO_WRITE_BUCKETS.length + 1);

        public long renders() {
            return renders.get();
        }

        public long renderErrors() {
            return renderErrors.get();
        }

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

        public Duration changeToWriteTotal() {
            return Duration.ofNanos(changeToWriteNanos.get());
        }

        /** Writes that took at most {@code CHANGE_TO_WRITE_BUCKETS[i]} (cumulative, as Prometheus wants). */
        public long changeToWriteAtMost(int i) {
            long n = 0;
            for (int j = 0; j <= i; j++) {
                n += changeToWriteBuckets.get(j);
            }
            return n;
        }
    }

    // ------------------------------------------------------------------ counting (TemplateJob)

    void rendered(TemplateConfig t) {
        renders.incrementAndGet();
        of(t).renders.incrementAndGet();
    }

    void renderFailed(TemplateConfig t) {
        renderErrors.incrementAndGet();
        of(t).renderErrors.incrementAndGet();
    }

    void written(TemplateConfig t, Duration sinceChange, boolean commandFailed) {
        PerTemplate m = of(t);
        writes.incrementAndGet();
        m.writes.incrementAndGet();
        long nanos = sinceChange.toNanos();
        changeToWriteNanos.addAndGet(nanos);
        m.changeToWriteNanos.addAndGet(nanos);
        double seconds = nanos / 1e9;
        int bucket = 0;
        while (bucket < CHANGE_TO_WRITE_BUCKETS.length && seconds > CHANGE_TO_WRITE_BUCKETS[bucket]) {
            bucket++;
        }
        m.changeToWriteBuckets.incrementAndGet(bucket);
        if (commandFailed) {
            commandFailures.incrementAndGet();
            m.commandFailures.incrementAndGet();
        }
    }

    void checkFailed(TemplateConfig t) {
        checkFailures.incrementAndGet();
        of(t).checkFailures.incrementAndGet();
    }

    void writeFailed(TemplateConfig t) {
        writeFailures.incrementAndGet();
        of(t).writeFailures.incrementAndGet();
    }

    private PerTemplate of(TemplateConfig t) {
        return byTemplate.computeIfAbsent(t.destination().toString(), k -> new PerTemplate());
    }

    // ------------------------------------------------------------------ reading

    /** Per template, by destination path, sorted; templates dropped by a reload keep their counts. */
    public Map<String, PerTemplate> byTemplate() {
        return new TreeMap<>(byTemplate);
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

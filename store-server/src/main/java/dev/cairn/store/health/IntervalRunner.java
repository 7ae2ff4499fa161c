package dev.cairn.store.health;

import dev.cairn.store.catalog.HealthCheck;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a probe now and then again {@code interval} after each run's result is written, so runs of
 * one check never overlap and a slow target cannot pile work up.
 */
final class IntervalRunner extends CheckRunner {

    private final Probe probe;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;
    private ScheduledFuture<?> next;

    IntervalRunner(HealthCheck check, CheckReporter reporter, Probe probe, Duration interval,
                   ScheduledExecutorService scheduler) {
        super(check, reporter);
        this.probe = probe;
        this.interval = interval;
        this.scheduler = scheduler;
    }

    @Override
    void start() {
        schedule(0);
    }

    @Override
    synchronized void stop() {
        super.stop();
        if (next != null) {
            next.cancel(false);
        }
    }

    private synchronized void schedule(long delayNanos) {
        if (stopped) {
            return;
        }
        try {
            next = scheduler.schedule(this::runOnce, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            stopped = true;   // the scheduler is shutting down
        }
    }

    private void runOnce() {
        if (stopped) {
            return;
        }
        CompletableFuture<CheckResult> run;
        try {
            run = probe.run();
        } catch (RuntimeException e) {
            run = CompletableFuture.completedFuture(CheckResult.critical(CheckResult.describe(e)));
        }
        run.exceptionally(e -> CheckResult.critical(CheckResult.describe(e)))
                .thenCompose(r -> reporter.report(check.checkId(), r, () -> !stopped))
                .whenComplete((v, e) -> schedule(interval.toNanos()));
    }
}

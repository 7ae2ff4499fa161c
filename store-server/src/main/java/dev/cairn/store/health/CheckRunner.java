package dev.cairn.store.health;

import dev.cairn.store.catalog.HealthCheck;

/**
 * Runs one check of this server's node until stopped. Runners only schedule work on the shared
 * pools of {@link CheckScheduler}; none owns a thread.
 */
abstract class CheckRunner {

    final HealthCheck check;
    final CheckReporter reporter;
    volatile boolean stopped;

    CheckRunner(HealthCheck check, CheckReporter reporter) {
        this.check = check;
        this.reporter = reporter;
    }

    abstract void start();

    void stop() {
        stopped = true;
    }

    /** A TTL check got an update through the agent API. */
    void heartbeat() {
    }

    /** Whether this runner runs {@code other} exactly as registered (else it must be restarted). */
    boolean runs(HealthCheck other) {
        return check.definition().equals(other.definition()) && check.serviceId().equals(other.serviceId());
    }

    /** A check that cannot run (its definition does not parse): reported critical once. */
    static CheckRunner broken(HealthCheck check, CheckReporter reporter, String problem) {
        return new CheckRunner(check, reporter) {
            @Override
            void start() {
                reporter.report(check.checkId(), CheckResult.critical(problem), () -> !stopped);
            }
        };
    }
}

package dev.cairn.store.health;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static dev.cairn.store.health.HealthFixture.check;
import static dev.cairn.store.health.HealthFixture.ttl;
import static org.assertj.core.api.Assertions.assertThat;

/** TTL checks on a fake clock: expiry without a heartbeat, and heartbeats moving the deadline. */
class TtlRunnerTest {

    private static final long SECOND = 1_000_000_000L;

    private final HealthFixture f = new HealthFixture();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final long[] now = {0};
    private final TtlRunner runner;

    TtlRunnerTest() {
        f.registerService("web", check("ttl-web", "web", "passing", ttl("10s")));
        runner = new TtlRunner(f.check("ttl-web"), new CheckReporter(f.state, f.raft, HealthFixture.NODE),
                Duration.ofSeconds(10), scheduler, () -> now[0]);
        runner.start();   // its real timer (10 s) never fires during a test: the test calls check()
    }

    @AfterEach
    void stop() {
        runner.stop();
        scheduler.shutdownNow();
    }

    @Test
    void withoutAHeartbeatTheCheckTurnsCriticalAfterTheTtl() {
        now[0] = 9 * SECOND;
        runner.check();
        assertThat(f.check("ttl-web").status()).isEqualTo("passing");

        now[0] = 10 * SECOND;
        runner.check();

        assertThat(f.check("ttl-web").status()).isEqualTo("critical");
        assertThat(f.check("ttl-web").output()).isEqualTo("TTL expired");
    }

    @Test
    void aHeartbeatRestartsTheClock() {
        now[0] = 9 * SECOND;
        runner.heartbeat();

        now[0] = 18 * SECOND;   // past the first deadline, within the TTL of the heartbeat
        runner.check();
        assertThat(f.check("ttl-web").status()).isEqualTo("passing");

        now[0] = 19 * SECOND;
        runner.check();
        assertThat(f.check("ttl-web").status()).isEqualTo("critical");
    }

    @Test
    void anExpiredCheckIsWrittenOnce() {
        now[0] = 11 * SECOND;
        runner.check();
        now[0] = 30 * SECOND;
        runner.check();

        assertThat(f.raft.updates("ttl-web")).hasSize(1);
    }
}

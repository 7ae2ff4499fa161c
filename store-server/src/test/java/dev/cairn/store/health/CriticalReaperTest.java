package dev.cairn.store.health;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.HealthCheck;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.cairn.store.health.HealthFixture.check;
import static dev.cairn.store.health.HealthFixture.tcp;
import static org.assertj.core.api.Assertions.assertThat;

/** DeregisterCriticalServiceAfter on a fake clock, with Consul's one-minute floor. */
class CriticalReaperTest {

    private static final long SECOND = 1_000_000_000L;

    private final HealthFixture f = new HealthFixture();
    private final long[] now = {0};
    private final CriticalReaper reaper = new CriticalReaper(HealthFixture.NODE, f.raft, () -> now[0],
            Duration.ofMinutes(1));

    private List<HealthCheck> checks() {
        return f.state.catalog().nodeChecks(HealthFixture.NODE);
    }

    private boolean webRegistered() {
        return f.state.catalog().serviceInstance(HealthFixture.NODE, "web") != null;
    }

    @Test
    void aServiceCriticalForLongerThanItsTimeoutIsDeregistered() {
        f.registerService("web", check("web-check", "web", "critical", tcp("127.0.0.1:1", "10s", "90s")));
        reaper.observe(checks());

        now[0] = 90 * SECOND;
        reaper.reap(checks());
        assertThat(webRegistered()).isTrue();

        now[0] = 91 * SECOND;
        reaper.reap(checks());
        assertThat(webRegistered()).isFalse();
        assertThat(f.raft.proposed()).contains(new CatalogCommand.Deregister(HealthFixture.NODE, "web", ""));
    }

    @Test
    void theTimeoutIsAtLeastTheMinimum() {
        f.registerService("web", check("web-check", "web", "critical", tcp("127.0.0.1:1", "10s", "10ms")));
        reaper.observe(checks());

        now[0] = 30 * SECOND;
        reaper.reap(checks());
        assertThat(webRegistered()).isTrue();

        now[0] = 61 * SECOND;
        reaper.reap(checks());
        assertThat(webRegistered()).isFalse();
    }

    @Test
    void aCheckSeenPassingStartsItsClockAgain() {
        f.registerService("web", check("web-check", "web", "critical", tcp("127.0.0.1:1", "10s", "1m")));
        reaper.observe(checks());
        now[0] = 50 * SECOND;
        f.propose(new CatalogCommand.UpdateCheck(HealthFixture.NODE, "web-check", "passing", ""));
        reaper.observe(checks());
        now[0] = 55 * SECOND;
        f.propose(new CatalogCommand.UpdateCheck(HealthFixture.NODE, "web-check", "critical", ""));
        reaper.observe(checks());

        now[0] = 100 * SECOND;
        reaper.reap(checks());
        assertThat(webRegistered()).isTrue();

        now[0] = 116 * SECOND;
        reaper.reap(checks());
        assertThat(webRegistered()).isFalse();
    }

    @Test
    void checksWithoutTheSettingNeverReap() {
        f.registerService("web", check("web-check", "web", "critical", tcp("127.0.0.1:1", "10s", "")));
        reaper.observe(checks());

        now[0] = 3600 * SECOND;
        reaper.reap(checks());

        assertThat(webRegistered()).isTrue();
    }
}

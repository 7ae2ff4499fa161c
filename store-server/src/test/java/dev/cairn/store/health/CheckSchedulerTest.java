package dev.cairn.store.health;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.CheckDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.cairn.store.health.HealthFixture.check;
import static dev.cairn.store.health.HealthFixture.http;
import static dev.cairn.store.health.HealthFixture.ttl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The scheduler follows the node's checks in the state and writes only changes. */
class CheckSchedulerTest {

    private final HealthFixture f = new HealthFixture();
    private final CheckScheduler scheduler = new CheckScheduler(f.ctx, Duration.ofHours(1), Duration.ofMinutes(1));
    private Backend backend;

    @AfterEach
    void stop() {
        scheduler.close();
        if (backend != null) {
            backend.close();
        }
    }

    private Backend backend() throws Exception {
        backend = Backend.start(0);
        return backend;
    }

    @Test
    void onlyChangesOfStatusOrOutputAreProposed() throws Exception {
        Backend b = backend();
        f.registerService("web", check("web-check", "web", "critical", http(b.url("/health"), "20ms")));
        scheduler.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> b.hits.get() >= 10);
        assertThat(f.raft.updates("web-check")).extracting(CatalogCommand.UpdateCheck::status)
                .containsExactly("passing");

        b.status = 500;
        int hits = b.hits.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.hits.get() >= hits + 10);
        assertThat(f.raft.updates("web-check")).extracting(CatalogCommand.UpdateCheck::status)
                .containsExactly("passing", "critical");
        assertThat(f.check("web-check").output())
                .isEqualTo("HTTP GET " + b.url("/health") + ": 500 Internal Server Error Output: ok");
    }

    @Test
    void theFirstRunComesPromptlyEvenWithALongInterval() throws Exception {
        Backend b = backend();
        f.registerService("web", check("web-check", "web", "critical", http(b.url("/"), "1h")));
        scheduler.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> f.check("web-check").status().equals("passing"));
    }

    @Test
    void aCheckRegisteredLaterStartsAndARemovedOneStops() throws Exception {
        Backend b = backend();
        scheduler.start();
        f.registerService("web", check("web-check", "web", "critical", http(b.url("/"), "20ms")));

        await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.running().contains("web-check"));
        CheckRunner runner = scheduler.runner("web-check");
        await().atMost(Duration.ofSeconds(5)).until(() -> b.hits.get() > 0);

        f.deregisterService("web");

        await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.running().isEmpty());
        assertThat(runner.stopped).isTrue();
    }

    @Test
    void aChangedDefinitionRestartsTheRunner() throws Exception {
        Backend b = backend();
        f.registerService("web", check("web-check", "web", "critical", http(b.url("/"), "1h")));
        scheduler.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.running().contains("web-check"));
        CheckRunner first = scheduler.runner("web-check");

        f.registerService("web", check("web-check", "web", "critical", http(b.url("/other"), "1h")));

        await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.runner("web-check") != first
                && scheduler.runner("web-check") != null);
        assertThat(first.stopped).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> b.lastRequest != null && b.lastRequest.contains("/other"));
    }

    @Test
    void checksWithoutADefinitionAreNeverRun() {
        f.registerService("web",
                check("serfHealth-like", "", "passing", CheckDefinition.NONE),
                check("_service_maintenance:web", "web", "critical", CheckDefinition.NONE),
                check("web-ttl", "web", "critical", ttl("1h")));
        scheduler.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.running().contains("web-ttl"));
        assertThat(scheduler.running()).containsExactly("web-ttl");
    }

    @Test
    void aTtlCheckExpiresAndAHeartbeatKeepsItAlive() {
        f.registerService("web", check("web-ttl", "web", "passing", ttl("300ms")));
        scheduler.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> f.check("web-ttl").status().equals("critical"));
        assertThat(f.check("web-ttl").output()).isEqualTo("TTL expired");

        // what /v1/agent/check/pass does: the heartbeat, then the update
        scheduler.heartbeat("web-ttl");
        f.propose(new CatalogCommand.UpdateCheck(HealthFixture.NODE, "web-ttl", "passing", "back"));
        assertThat(f.check("web-ttl").status()).isEqualTo("passing");

        await().atMost(Duration.ofSeconds(5)).until(() -> f.check("web-ttl").status().equals("critical"));
    }

    @Test
    void reapingUsesTheConfiguredIntervalAndMinimum() throws Exception {
        try (CheckScheduler fast = new CheckScheduler(f.ctx, Duration.ofMillis(50), Duration.ofMillis(100))) {
            f.registerService("web", check("web-check", "web", "critical",
                    HealthFixture.tcp("127.0.0.1:1", "1h", "10ms")));
            fast.start();

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> f.state.catalog().serviceInstance(HealthFixture.NODE, "web") == null);
            assertThat(f.raft.proposed()).contains(new CatalogCommand.Deregister(HealthFixture.NODE, "web", ""));
        }
    }

}

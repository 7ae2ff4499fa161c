package dev.cairn.store.session;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.CheckDefinition;
import dev.cairn.store.catalog.HealthCheck;
import dev.cairn.store.catalog.Node;
import dev.cairn.store.state.Command;
import dev.cairn.store.state.DirectConsensus;
import dev.cairn.store.state.StoreState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** TTL expiry on a fake clock, with a stub Raft that applies proposals at once. */
class SessionTimersTest {

    private static final long SECOND = 1_000_000_000L;

    private final StoreState state = new StoreState();
    private final DirectConsensus raft = new DirectConsensus(state);
    private final long[] now = {0};
    private final SessionTimers timers = new SessionTimers(state.sessions(), raft, () -> now[0]);

    @BeforeEach
    void aNodeAndTwoSessions() {
        Node n = new Node("", "n1", "10.0.0.1", "dc1", Map.of(), Map.of(), 0, 0);
        HealthCheck serf = new HealthCheck("n1", "serfHealth", "Serf", HealthCheck.PASSING, "", "", "", "", List.of(),
                CheckDefinition.NONE, 0, 0);
        raft.submit(new Command.Catalog(new CatalogCommand.Register(n, null, List.of(serf), false, false)));
        create("ttl", "10s");
        create("forever", "");
    }

    private void create(String id, String ttl) {
        Session s = new Session(id, "", "n1", 0, "release", ttl, List.of(), List.of(), 0, 0);
        raft.submit(new Command.Session(new SessionCommand.Create(s)));
    }

    private void advanceSeconds(long s) {
        now[0] += s * SECOND;
        timers.tick();
    }

    @Test
    void aSessionNotRenewedWithinItsTtlPlusGraceIsDestroyedByTheLeader() {
        timers.tick();
        advanceSeconds(10);
        assertThat(state.sessions().exists("ttl")).as("within the grace").isTrue();

        advanceSeconds(1);

        assertThat(state.sessions().exists("ttl")).isFalse();
        assertThat(state.sessions().exists("forever")).isTrue();
    }

    @Test
    void renewRestartsTheTtl() {
        timers.tick();
        advanceSeconds(8);
        assertThat(timers.renew("ttl")).isNotNull();

        advanceSeconds(8);
        assertThat(state.sessions().exists("ttl")).isTrue();
        advanceSeconds(3);
        assertThat(state.sessions().exists("ttl")).isFalse();
        assertThat(timers.renew("ttl")).as("renewing an expired session finds nothing").isNull();
    }

    @Test
    void followersExpireNothingAndANewLeaderStartsFromTheFullTtl() {
        raft.leader(false);
        timers.tick();
        advanceSeconds(60);
        assertThat(state.sessions().exists("ttl")).isTrue();

        raft.leader(true);
        advanceSeconds(1);
        advanceSeconds(10);
        assertThat(state.sessions().exists("ttl")).isTrue();
        advanceSeconds(1);
        assertThat(state.sessions().exists("ttl")).isFalse();
    }

    @Test
    void sessionsComingBackWithASnapshotRestoreGetTheirFullTtlFromTheRestore() throws Exception {
        timers.tick();
        java.io.ByteArrayOutputStream backup = new java.io.ByteArrayOutputStream();
        state.exportTo(new java.io.DataOutputStream(backup));
        byte[] bytes = backup.toByteArray();
        advanceSeconds(8);

        raft.submit(new Command.RestoreChunk("r", 0, bytes));
        raft.submit(new Command.RestoreCommit("r", bytes.length,
                java.security.MessageDigest.getInstance("SHA-256").digest(bytes)));
        advanceSeconds(8);

        assertThat(state.sessions().exists("ttl")).as("16 s after creation, 8 s after the restore").isTrue();
        advanceSeconds(12);
        assertThat(state.sessions().exists("ttl")).isFalse();
    }

    @Test
    void graceIsATenthOfTheTtlAndAtLeastASecond() {
        assertThat(SessionTimers.allowanceNanos(java.time.Duration.ofSeconds(10))).isEqualTo(11 * SECOND);
        assertThat(SessionTimers.allowanceNanos(java.time.Duration.ofSeconds(100))).isEqualTo(110 * SECOND);
    }
}

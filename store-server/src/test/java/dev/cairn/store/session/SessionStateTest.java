package dev.cairn.store.session;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.CheckDefinition;
import dev.cairn.store.catalog.HealthCheck;
import dev.cairn.store.catalog.Node;
import dev.cairn.store.kv.KvEntry;
import dev.cairn.store.kv.KvOp;
import dev.cairn.store.kv.TxnResult;
import dev.cairn.store.state.Command;
import dev.cairn.store.state.StoreState;
import dev.cairn.store.state.WatchKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Session rules at the level of applied Raft entries: no Raft, no HTTP, made-up indexes. */
class SessionStateTest {

    private final StoreState state = new StoreState();
    private final List<String> changed = new ArrayList<>();
    private long index = 10;

    @BeforeEach
    void aNodeWithAPassingSerfHealthCheck() {
        state.listener(new dev.cairn.store.state.ChangeListener() {
            @Override
            public void changed(Collection<String> watchKeys) {
                changed.addAll(watchKeys);
            }

            @Override
            public void everythingChanged() {
            }
        });
        register("n1", check("n1", "serfHealth", HealthCheck.PASSING, ""));
    }

    // ---------------------------------------------------------------- helpers

    private Object apply(Command c) {
        changed.clear();
        return state.apply(List.of(c), ++index).get(0);
    }

    private static HealthCheck check(String node, String id, String status, String serviceId) {
        return new HealthCheck(node, id, id, status, "", "", serviceId, "", List.of(), CheckDefinition.NONE, 0, 0);
    }

    private void register(String node, HealthCheck... checks) {
        Node n = new Node("", node, "10.0.0.1", "dc1", Map.of(), Map.of(), 0, 0);
        Object r = apply(new Command.Catalog(new CatalogCommand.Register(n, null, List.of(checks), false, false)));
        assertThat(((CatalogCommand.Result) r).ok()).as("%s", r).isTrue();
    }

    private static Session session(String id, String node, String behavior, long lockDelayNanos, String... checks) {
        return new Session(id, "", node, lockDelayNanos, behavior, "", List.of(checks), List.of(), 0, 0);
    }

    private SessionCommand.Result create(Session s) {
        return (SessionCommand.Result) apply(new Command.Session(new SessionCommand.Create(s)));
    }

    private void destroy(String id) {
        apply(new Command.Session(new SessionCommand.Destroy(id)));
    }

    private TxnResult kv(KvOp op) {
        return (TxnResult) apply(new Command.KvTxn(List.of(op)));
    }

    private static KvOp acquire(String key, String session) {
        return new KvOp(KvOp.Verb.LOCK, key, "v".getBytes(StandardCharsets.UTF_8), 0, 0, session);
    }

    private KvEntry entry(String key) {
        List<KvEntry> e = state.kv().get(key).entries();
        return e.isEmpty() ? null : e.get(0);
    }

    // ---------------------------------------------------------------- create and destroy

    @Test
    void createStoresTheSessionWithTheEntrysIndexAndDestroyRemovesIt() {
        assertThat(create(session("s1", "n1", "release", 0, "serfHealth")).ok()).isTrue();
        long createdAt = index;

        Session s = state.sessions().get("s1").orElseThrow();
        assertThat(s.createIndex()).isEqualTo(createdAt);
        assertThat(s.modifyIndex()).isEqualTo(createdAt);
        assertThat(changed).contains(WatchKeys.SESSIONS);
        assertThat(state.sessions().list().index()).isEqualTo(createdAt);

        destroy("s1");

        assertThat(state.sessions().get("s1")).isEmpty();
        assertThat(state.sessions().list().index()).as("a delete advances the table index").isEqualTo(index);
        assertThat(state.sessions().info("s1").value()).isEmpty();
    }

    @Test
    void createIsRefusedForAnUnknownNodeAMissingCheckOrACriticalCheck() {
        register("n1", check("n1", "down", HealthCheck.CRITICAL, ""));

        assertThat(create(session("a", "nowhere", "release", 0)).error()).startsWith("Missing node registration");
        assertThat(create(session("b", "n1", "release", 0, "nope")).error()).startsWith("Missing check 'nope'");
        assertThat(create(session("c", "n1", "release", 0, "serfHealth", "down")).error())
                .isEqualTo("Check 'down' is in critical state");
        assertThat(state.sessions().list().value()).isEmpty();
    }

    @Test
    void destroyingAnUnknownSessionIsFine() {
        destroy("never-existed");

        assertThat(state.sessions().list().value()).isEmpty();
    }

    // ---------------------------------------------------------------- locks and behaviors

    @Test
    void acquireNeedsAnExistingSession() {
        assertThat(kv(acquire("k", "ghost")).committed()).isFalse();

        create(session("s1", "n1", "release", 0));
        assertThat(kv(acquire("k", "s1")).committed()).isTrue();
        assertThat(entry("k").session()).isEqualTo("s1");
    }

    @Test
    void releaseBehaviorClearsTheSessionKeepsValueAndLockIndexAndWakesKvWatchers() {
        create(session("s1", "n1", "release", 0));
        kv(acquire("app/leader", "s1"));
        kv(acquire("app/other", "s1"));
        KvEntry before = entry("app/leader");

        destroy("s1");

        KvEntry after = entry("app/leader");
        assertThat(after.locked()).isFalse();
        assertThat(after.lockIndex()).isEqualTo(before.lockIndex()).isEqualTo(1);
        assertThat(after.value()).isEqualTo(before.value());
        assertThat(after.modifyIndex()).isEqualTo(index);
        assertThat(entry("app/other").locked()).isFalse();
        assertThat(changed).contains(WatchKeys.kv("app/leader"), WatchKeys.kv("app/other"), WatchKeys.SESSIONS);
    }

    @Test
    void deleteBehaviorDeletesTheHeldKeysOnly() {
        create(session("s1", "n1", "delete", 0));
        create(session("s2", "n1", "delete", 0));
        kv(acquire("mine", "s1"));
        kv(acquire("theirs", "s2"));
        kv(KvOp.set("plain", new byte[0], 0));

        destroy("s1");

        assertThat(entry("mine")).isNull();
        assertThat(state.kv().get("mine").index()).as("tombstone index").isEqualTo(index);
        assertThat(entry("theirs").session()).isEqualTo("s2");
        assertThat(entry("plain")).isNotNull();
    }

    @Test
    void aKeyReleasedOrOverwrittenBeforeTheInvalidationIsLeftAlone() {
        create(session("s1", "n1", "delete", 0));
        kv(acquire("released", "s1"));
        kv(new KvOp(KvOp.Verb.UNLOCK, "released", new byte[0], 0, 0, "s1"));
        kv(acquire("deleted", "s1"));
        kv(KvOp.delete("deleted"));

        destroy("s1");

        assertThat(entry("released")).as("no longer held, so not deleted").isNotNull();
        assertThat(changed).doesNotContain(WatchKeys.kv("released"), WatchKeys.kv("deleted"));
    }

    // ---------------------------------------------------------------- invalidation by the catalog

    @Test
    void aCheckGoingCriticalInvalidatesTheSessionsThatNameIt() {
        register("n1", check("n1", "db", HealthCheck.PASSING, ""));
        create(session("tied", "n1", "release", 0, "serfHealth", "db"));
        create(session("free", "n1", "release", 0, "serfHealth"));
        kv(acquire("lock", "tied"));

        apply(new Command.Catalog(new CatalogCommand.UpdateCheck("n1", "db", HealthCheck.WARNING, "slow")));
        assertThat(state.sessions().exists("tied")).as("warning is not critical").isTrue();

        apply(new Command.Catalog(new CatalogCommand.UpdateCheck("n1", "db", HealthCheck.CRITICAL, "down")));

        assertThat(state.sessions().exists("tied")).isFalse();
        assertThat(state.sessions().exists("free")).isTrue();
        assertThat(entry("lock").locked()).isFalse();
        assertThat(changed).contains(WatchKeys.kv("lock"), WatchKeys.SESSIONS);
    }

    @Test
    void aRegistrationThatMakesACheckCriticalOrRemovingTheCheckInvalidatesToo() {
        register("n1", check("n1", "a", HealthCheck.PASSING, ""), check("n1", "b", HealthCheck.PASSING, ""));
        create(session("on-a", "n1", "release", 0, "a"));
        create(session("on-b", "n1", "release", 0, "b"));

        register("n1", check("n1", "a", HealthCheck.CRITICAL, ""));
        apply(new Command.Catalog(new CatalogCommand.Deregister("n1", null, "b")));

        assertThat(state.sessions().list().value()).isEmpty();
    }

    @Test
    void deregisteringTheNodeInvalidatesItsSessionsOnly() {
        register("n2", check("n2", "serfHealth", HealthCheck.PASSING, ""));
        create(session("s1", "n1", "delete", 0));
        create(session("s2", "n2", "release", 0, "serfHealth"));
        kv(acquire("k1", "s1"));
        kv(acquire("k2", "s2"));

        apply(new Command.Catalog(new CatalogCommand.Deregister("n1", null, null)));

        assertThat(state.sessions().exists("s1")).isFalse();
        assertThat(entry("k1")).isNull();
        assertThat(state.sessions().exists("s2")).isTrue();
        assertThat(entry("k2").session()).isEqualTo("s2");
        assertThat(state.sessions().onNode("n2").value()).extracting(Session::id).containsExactly("s2");
        assertThat(state.sessions().onNode("n1").value()).isEmpty();
    }

    // ---------------------------------------------------------------- lock-delay

    @Test
    void keysHeldByAnInvalidatedSessionAreLockDelayedForItsLockDelay() {
        long[] now = {1_000};
        LockDelays delays = new LockDelays(() -> now[0]);
        delays.delay(List.of("k"), 15_000_000_000L);

        assertThat(delays.delayed("k")).isTrue();
        assertThat(delays.delayed("other")).isFalse();
        now[0] += 14_999_999_999L;
        assertThat(delays.delayed("k")).isTrue();
        now[0] += 1;
        assertThat(delays.delayed("k")).isFalse();
    }

    @Test
    void anInvalidationRecordsTheLockDelayOfTheKeysItReleased() {
        create(session("slow", "n1", "release", 15_000_000_000L));
        create(session("quick", "n1", "release", 0));
        kv(acquire("a", "slow"));
        kv(acquire("b", "quick"));
        kv(acquire("c", "slow"));
        kv(new KvOp(KvOp.Verb.UNLOCK, "c", new byte[0], 0, 0, "slow"));

        destroy("slow");
        destroy("quick");

        assertThat(state.sessions().lockDelayed("a")).isTrue();
        assertThat(state.sessions().lockDelayed("b")).as("LockDelay 0").isFalse();
        assertThat(state.sessions().lockDelayed("c")).as("released before the invalidation").isFalse();
    }

    // ---------------------------------------------------------------- snapshots

    @Test
    void sessionsAndTheLocksTiedToThemSurviveASnapshotRoundTrip() throws Exception {
        Session s = new Session("s1", "web lock", "n1", 7_000_000_000L, "delete", "30s", List.of("serfHealth"),
                List.of(new Session.ServiceCheck("service:web", "")), 0, 0);
        register("n1", check("n1", "service:web", HealthCheck.PASSING, ""));
        create(s);
        kv(acquire("held", "s1"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(bytes));

        StoreState restored = new StoreState();
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertThat(restored.sessions().list().value()).containsExactlyElementsOf(state.sessions().list().value());
        assertThat(restored.sessions().list().index()).isEqualTo(state.sessions().list().index());
        // the restored KV table knows which keys the session holds
        restored.apply(List.of(new Command.Session(new SessionCommand.Destroy("s1"))), ++index);
        assertThat(restored.kv().get("held").entries()).isEmpty();
    }

    @Test
    void aSnapshotFromBeforeSessionsStillLoads() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(1);
        out.writeLong(5);
        new dev.cairn.store.kv.KvState().writeTo(out);
        dev.cairn.store.kv.Codec.writeBytes(out, new dev.cairn.store.catalog.CatalogState()
                .snapshot(new com.fasterxml.jackson.databind.ObjectMapper()));

        StoreState restored = new StoreState();
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertThat(restored.lastIndex()).isEqualTo(5);
        assertThat(restored.sessions().list().value()).isEmpty();
    }
}

package dev.cairn.store.state;

import dev.cairn.store.kv.KvOp;
import dev.cairn.store.kv.TxnResult;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A forwarded batch whose leader died with it in flight is proposed again; the state machine must
 * apply it once, on every replica alike, and answer the copy with the first one's results.
 */
class AppliedForwardsTest {

    private static final UUID FOLLOWER = UUID.fromString("00000000-0000-0000-0000-00000000000f");

    private final StoreState state = new StoreState();

    @Test
    void aSecondCopyOfABatchChangesNothingAndAnswersWithTheFirstCopysResults() {
        Command.Forwarded batch = forwarded(FOLLOWER, 1, createIfAbsent("lock", "first"), append("log"));

        TxnResult[] first = results(state.apply(List.of(batch), 10));
        TxnResult[] second = results(state.apply(List.of(batch), 12));

        // applied again, the create-if-absent would fail and the key would move to index 12
        assertThat(first[0].committed()).isTrue();
        assertThat(second[0].committed()).isTrue();
        assertThat(second[0].index()).isEqualTo(10);
        assertThat(state.kv().get("lock").entries().get(0).modifyIndex()).isEqualTo(10);
        assertThat(state.kv().get("log").entries().get(0).modifyIndex()).isEqualTo(10);
        assertThat(second[1].results().get(0).entry().modifyIndex()).isEqualTo(10);
    }

    @Test
    void batchesAreToldApartByOriginAndSequenceNumber() {
        UUID other = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
        state.apply(List.of(forwarded(FOLLOWER, 1, set("k", "one"))), 10);
        state.apply(List.of(forwarded(FOLLOWER, 2, set("k", "two"))), 11);
        state.apply(List.of(forwarded(other, 1, set("k", "three"))), 12);

        assertThat(value("k")).isEqualTo("three");
        assertThat(state.kv().get("k").entries().get(0).modifyIndex()).isEqualTo(12);
    }

    @Test
    void aBatchForwardedAgainByADeposedLeaderIsStillAppliedOnce() {
        Command.Forwarded fromFollower = forwarded(FOLLOWER, 7, createIfAbsent("lock", "f"));
        UUID deposed = UUID.fromString("00000000-0000-0000-0000-0000000000d1");
        state.apply(List.of(fromFollower), 10);

        // the old leader had the follower's batch queued and forwarded it, nested in its own
        List<Object> nested = state.apply(List.of(forwarded(deposed, 1, fromFollower, set("own", "x"))), 11);

        ForwardedResult outer = (ForwardedResult) nested.get(0);
        ForwardedResult inner = (ForwardedResult) outer.results().get(0);
        assertThat(((TxnResult) inner.results().get(0)).committed()).isTrue();
        assertThat(state.kv().get("lock").entries().get(0).modifyIndex()).isEqualTo(10);
        assertThat(value("own")).isEqualTo("x");
    }

    @Test
    void aRestartedOrNewReplicaDecidesAlikeFromASnapshot() throws IOException {
        Command.Forwarded batch = forwarded(FOLLOWER, 3, createIfAbsent("lock", "first"));
        state.apply(List.of(batch), 10);
        StoreState replica = copyThroughSnapshot(state);

        TxnResult copy = results(replica.apply(List.of(batch), 11))[0];

        assertThat(copy.committed()).isTrue();
        assertThat(copy.index()).isEqualTo(10);
        assertThat(replica.kv().get("lock").entries().get(0).modifyIndex()).isEqualTo(10);
    }

    @Test
    void aCopyOlderThanItsOriginsWindowIsRefusedNotAppliedTwice() {
        state.apply(List.of(forwarded(FOLLOWER, 1, set("k", "old"))), 10);
        for (int seq = 2; seq <= AppliedForwards.BATCHES_PER_ORIGIN + 1; seq++) {
            state.apply(List.of(forwarded(FOLLOWER, seq, set("other", "v" + seq))), 10 + seq);
        }
        state.apply(List.of(forwarded(FOLLOWER, 1000, set("k", "new"))), 2000);

        ForwardedResult late = (ForwardedResult) state.apply(List.of(forwarded(FOLLOWER, 1, set("k", "old"))), 2001).get(0);

        assertThat(late.refused()).contains("may have been applied before");
        assertThat(value("k")).isEqualTo("new");
    }

    @Test
    void theOriginHeardFromLeastRecentlyIsForgottenFirstOnEveryReplicaAlike() throws IOException {
        for (int i = 0; i <= AppliedForwards.ORIGINS; i++) {
            state.apply(List.of(forwarded(new UUID(0, i), 1, set("k" + i, "v"))), 10 + i);
        }
        StoreState replica = copyThroughSnapshot(state);

        for (StoreState s : List.of(state, replica)) {
            s.apply(List.of(forwarded(new UUID(0, 1), 1, set("k1", "v"))), 500);
            s.apply(List.of(forwarded(new UUID(0, 0), 1, set("k0", "v"))), 501);
            // origin 1 is remembered; origin 0, the oldest of ORIGINS + 1, was forgotten
            assertThat(s.kv().get("k1").entries().get(0).modifyIndex()).isEqualTo(11);
            assertThat(s.kv().get("k0").entries().get(0).modifyIndex()).isEqualTo(501);
        }
    }

    @Test
    void theForwardedEncodingRoundTripsThroughTheCodec() throws IOException {
        Command.Forwarded batch = forwarded(FOLLOWER, 42, set("a", "1"),
                forwarded(UUID.fromString("00000000-0000-0000-0000-0000000000d1"), 9, set("b", "2")));

        Command decoded = CommandCodec.decodeCommand(CommandCodec.encodeCommand(batch));

        Command.Forwarded f = (Command.Forwarded) decoded;
        assertThat(f.origin()).isEqualTo(FOLLOWER);
        assertThat(f.seq()).isEqualTo(42);
        assertThat(f.commands()).hasSize(2);
        assertThat(((Command.Forwarded) f.commands().get(1)).seq()).isEqualTo(9);
    }

    private static Command.Forwarded forwarded(UUID origin, long seq, Command... commands) {
        return new Command.Forwarded(origin, seq, List.of(commands));
    }

    private static Command set(String key, String value) {
        return new Command.KvTxn(List.of(KvOp.set(key, value.getBytes(StandardCharsets.UTF_8), 0)));
    }

    private static Command createIfAbsent(String key, String value) {
        return new Command.KvTxn(List.of(KvOp.cas(key, value.getBytes(StandardCharsets.UTF_8), 0, 0)));
    }

    /** A write that also returns the entry it wrote (what a copy must answer with). */
    private static Command append(String key) {
        return new Command.KvTxn(List.of(KvOp.set(key, "x".getBytes(StandardCharsets.UTF_8), 0)));
    }

    private static TxnResult[] results(List<Object> applied) {
        ForwardedResult r = (ForwardedResult) applied.get(0);
        assertThat(r.refused()).isNull();
        return r.results().stream().map(TxnResult.class::cast).toArray(TxnResult[]::new);
    }

    private String value(String key) {
        return new String(state.kv().get(key).entries().get(0).value(), StandardCharsets.UTF_8);
    }

    private static StoreState copyThroughSnapshot(StoreState from) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        from.writeTo(new DataOutputStream(bytes));
        StoreState copy = new StoreState();
        copy.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        return copy;
    }
}

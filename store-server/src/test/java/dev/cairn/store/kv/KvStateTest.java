package dev.cairn.store.kv;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KvStateTest {

    private final KvState kv = new KvState();
    private final List<String> changed = new ArrayList<>();

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private TxnResult apply(long index, KvOp... ops) {
        changed.clear();
        return kv.apply(List.of(ops), index, changed);
    }

    @Test
    void setStampsCreateAndModifyIndexWithTheRaftIndex() {
        apply(5, KvOp.set("a", bytes("1"), 7));
        apply(9, KvOp.set("a", bytes("2"), 8));

        KvEntry e = kv.get("a").entries().get(0);
        assertThat(e.createIndex()).isEqualTo(5);
        assertThat(e.modifyIndex()).isEqualTo(9);
        assertThat(e.flags()).isEqualTo(8);
        assertThat(new String(e.value(), StandardCharsets.UTF_8)).isEqualTo("2");
        assertThat(kv.get("a").index()).isEqualTo(9);
    }

    @Test
    void aMissingKeyReportsIndexOneUntilSomethingHappensToIt() {
        apply(3, KvOp.set("other", bytes("x"), 0));

        assertThat(kv.get("missing").entries()).isEmpty();
        assertThat(kv.get("missing").index()).isEqualTo(1);
    }

    @Test
    void deletingAKeyLeavesATombstoneSoItsIndexAdvancesInsteadOfGoingBack() {
        apply(4, KvOp.set("app/a", bytes("1"), 0));
        apply(6, KvOp.delete("app/a"));

        assertThat(kv.get("app/a").entries()).isEmpty();
        assertThat(kv.get("app/a").index()).isEqualTo(6);
        assertThat(kv.list("app/").index()).isEqualTo(6);
        assertThat(changed).containsExactly("app/a");
    }

    @Test
    void deletingAMissingKeyChangesNothing() {
        TxnResult r = apply(6, KvOp.delete("nothing"));

        assertThat(r.committed()).isTrue();
        assertThat(changed).isEmpty();
        assertThat(kv.get("nothing").index()).isEqualTo(1);
    }

    @Test
    void prefixIndexIsTheHighestModifyIndexUnderThePrefixOnly() {
        apply(2, KvOp.set("web/a", bytes("1"), 0));
        apply(3, KvOp.set("web/b", bytes("1"), 0));
        apply(10, KvOp.set("db/x", bytes("1"), 0));

        KvState.Read read = kv.list("web/");
        assertThat(read.entries()).extracting(KvEntry::key).containsExactly("web/a", "web/b");
        assertThat(read.index()).isEqualTo(3);
        assertThat(kv.list("").index()).isEqualTo(10);
    }

    @Test
    void prefixIsAPlainStringPrefixNotAPathSegment() {
        apply(2, KvOp.set("web", bytes("1"), 0));
        apply(3, KvOp.set("webapp/x", bytes("1"), 0));

        assertThat(kv.list("web").entries()).extracting(KvEntry::key).containsExactly("web", "webapp/x");
    }

    @Test
    void casZeroCreatesOnlyWhenMissingAndCasNWritesOnlyOnAMatchingIndex() {
        assertThat(apply(2, KvOp.cas("k", bytes("1"), 0, 0)).committed()).isTrue();
        assertThat(apply(3, KvOp.cas("k", bytes("2"), 0, 0)).committed()).isFalse();
        assertThat(apply(4, KvOp.cas("k", bytes("3"), 0, 99)).committed()).isFalse();
        assertThat(apply(5, KvOp.cas("k", bytes("4"), 0, 2)).committed()).isTrue();

        assertThat(new String(kv.get("k").entries().get(0).value(), StandardCharsets.UTF_8)).isEqualTo("4");
        assertThat(kv.get("k").index()).isEqualTo(5);
    }

    @Test
    void deleteCasNeedsTheCurrentIndexAndZeroNeverDeletes() {
        apply(2, KvOp.set("k", bytes("1"), 0));

        assertThat(apply(3, KvOp.deleteCas("k", 0)).committed()).isFalse();
        assertThat(apply(4, KvOp.deleteCas("k", 1)).committed()).isFalse();
        assertThat(apply(5, KvOp.deleteCas("k", 2)).committed()).isTrue();
        assertThat(kv.get("k").entries()).isEmpty();
    }

    @Test
    void deleteTreeRemovesEveryKeyUnderThePrefixAndNothingElse() {
        apply(2, KvOp.set("a/1", bytes("1"), 0), KvOp.set("a/2", bytes("1"), 0), KvOp.set("b", bytes("1"), 0));

        apply(3, KvOp.deleteTree("a/"));

        assertThat(kv.list("").entries()).extracting(KvEntry::key).containsExactly("b");
        assertThat(changed).containsExactlyInAnyOrder("a/1", "a/2");
        assertThat(kv.list("a/").index()).isEqualTo(3);
    }

    @Test
    void aFailedOperationRollsBackTheWholeTransaction() {
        apply(2, KvOp.set("exists", bytes("1"), 0));

        TxnResult r = apply(3,
                KvOp.set("new", bytes("1"), 0),
                new KvOp(KvOp.Verb.CHECK_NOT_EXISTS, "exists", null, 0, 0, ""),
                KvOp.delete("exists"));

        assertThat(r.committed()).isFalse();
        assertThat(r.errors()).extracting(TxnResult.TxnError::opIndex).containsExactly(1);
        assertThat(r.errors().get(0).what()).isEqualTo("key \"exists\" exists");
        assertThat(kv.get("new").entries()).isEmpty();
        assertThat(kv.get("exists").entries()).hasSize(1);
        assertThat(changed).isEmpty();
    }

    @Test
    void laterOperationsSeeEarlierOnesInTheSameTransaction() {
        TxnResult r = apply(7,
                KvOp.set("x", bytes("1"), 0),
                new KvOp(KvOp.Verb.CHECK_INDEX, "x", null, 0, 7, ""),
                new KvOp(KvOp.Verb.GET_TREE, "", null, 0, 0, ""));

        assertThat(r.committed()).isTrue();
        assertThat(r.results()).extracting(res -> res.entry().key()).containsExactly("x", "x", "x");
    }

    @Test
    void lockingNeedsAValidSessionAndCountsAcquisitions() {
        apply(2, new KvOp(KvOp.Verb.LOCK, "l", bytes("v"), 0, 0, "s1"));
        assertThat(kv.get("l").entries()).as("no session exists yet").isEmpty();

        kv.sessionValidator(s -> s.equals("s1") || s.equals("s2"));
        assertThat(apply(3, new KvOp(KvOp.Verb.LOCK, "l", bytes("v"), 0, 0, "s1")).committed()).isTrue();
        assertThat(apply(4, new KvOp(KvOp.Verb.LOCK, "l", bytes("v2"), 0, 0, "s1")).committed()).isTrue();
        assertThat(apply(5, new KvOp(KvOp.Verb.LOCK, "l", bytes("v"), 0, 0, "s2")).committed()).isFalse();
        KvEntry held = kv.get("l").entries().get(0);
        assertThat(held.lockIndex()).as("re-acquiring by the holder does not count").isEqualTo(1);
        assertThat(held.session()).isEqualTo("s1");

        assertThat(apply(6, new KvOp(KvOp.Verb.UNLOCK, "l", bytes("v"), 0, 0, "s2")).committed()).isFalse();
        assertThat(apply(7, new KvOp(KvOp.Verb.UNLOCK, "l", bytes("v"), 0, 0, "s1")).committed()).isTrue();
        KvEntry released = kv.get("l").entries().get(0);
        assertThat(released.locked()).isFalse();
        assertThat(released.lockIndex()).isEqualTo(1);
    }

    @Test
    void reapingTombstonesKeepsIndexesFromGoingBackwards() {
        for (int i = 0; i <= KvState.MAX_TOMBSTONES; i++) {
            apply(2L * i + 10, KvOp.set("t/" + i, bytes("x"), 0));
            apply(2L * i + 11, KvOp.delete("t/" + i));
        }
        long lastDelete = 2L * KvState.MAX_TOMBSTONES + 11;

        assertThat(kv.get("t/0").index()).isEqualTo(lastDelete);
        assertThat(kv.list("t/").index()).isEqualTo(lastDelete);
    }

    @Test
    void aSnapshotRoundTripRestoresEntriesTombstonesAndIndexes() throws Exception {
        apply(2, KvOp.set("a", bytes("1"), 3));
        apply(3, KvOp.set("b", new byte[] {0, (byte) 0xff}, 0));
        apply(4, KvOp.delete("b"));

        var out = new java.io.ByteArrayOutputStream();
        kv.writeTo(new java.io.DataOutputStream(out));
        KvState restored = new KvState();
        restored.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(out.toByteArray())));

        assertThat(restored.get("a").entries().get(0)).usingRecursiveComparison().isEqualTo(kv.get("a").entries().get(0));
        assertThat(restored.get("b").index()).isEqualTo(4);
    }
}

package dev.cairn.store.snapshot;

import dev.cairn.store.http.WatchHub;
import dev.cairn.store.state.Command;
import dev.cairn.store.state.CommandCodec;
import dev.cairn.store.state.DirectConsensus;
import dev.cairn.store.state.RestoreResult;
import dev.cairn.store.state.StoreState;
import dev.cairn.store.state.WatchKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A restore applied to a state through its Raft commands, as every server applies it. */
class RestoreTest {

    @TempDir
    Path dir;

    private final StoreState state = new StoreState();
    private final DirectConsensus raft = new DirectConsensus(state);
    private final WatchHub hub = new WatchHub();
    private SnapshotArchive.Verified backup;

    @BeforeEach
    void backUpThenChangeEverything() throws IOException {
        state.listener(hub);
        Stores.put(raft, "app/a", "alpha");
        Stores.put(raft, "app/b", "beta");
        Stores.catalogAndSession(raft);
        Path archive = dir.resolve("backup.snap");
        SnapshotArchive.write(state, archive);
        backup = SnapshotArchive.verify(archive, Files.createDirectory(dir.resolve("work")));

        Stores.put(raft, "app/a", "changed");
        Stores.delete(raft, "app/b");
        Stores.put(raft, "app/c", "new");
        for (int i = 0; i < 20; i++) {
            Stores.put(raft, "later/" + i, "x");
        }
    }

    @Test
    void theDataComesBackInEveryTable() throws Exception {
        new Restorer(raft, 64).restore(backup);

        assertThat(Stores.value(state, "app/a")).isEqualTo("alpha");
        assertThat(Stores.value(state, "app/b")).isEqualTo("beta");
        assertThat(Stores.value(state, "app/c")).isNull();
        assertThat(state.kv().list("later/").entries()).isEmpty();
        assertThat(state.catalog().service("web").value()).hasSize(1);
        assertThat(state.sessions().exists("s1")).isTrue();
        assertThat(state.kv().get("lock/web").entries().get(0).session()).isEqualTo("s1");
    }

    @Test
    void noIndexGoesBackwardsAndEveryReadReportsAtLeastTheRestoresIndex() throws Exception {
        long before = state.lastIndex();

        new Restorer(raft, 64).restore(backup);

        long restoredAt = state.lastIndex();
        assertThat(restoredAt).isGreaterThan(before);
        // the entries keep the ModifyIndex they were saved with...
        assertThat(state.kv().get("app/a").entries().get(0).modifyIndex()).isLessThan(before);
        // ...but what a blocking query compares against is the restore's index, for every read
        assertThat(state.kv().get("app/a").index()).isEqualTo(restoredAt);
        assertThat(state.kv().get("app/c").index()).as("a key the restore removed").isEqualTo(restoredAt);
        assertThat(state.kv().get("never/existed").index()).isEqualTo(restoredAt);
        assertThat(state.kv().list("app/").index()).isEqualTo(restoredAt);
        assertThat(state.kv().read(List.of(new dev.cairn.store.kv.KvOp(dev.cairn.store.kv.KvOp.Verb.GET, "app/a", null, 0, 0, ""))).index()).isEqualTo(restoredAt);
        assertThat(state.catalog().nodes().index()).isEqualTo(restoredAt);
        assertThat(state.catalog().service("web").index()).isEqualTo(restoredAt);
        assertThat(state.catalog().service("no-such-service").index()).isEqualTo(restoredAt);
        assertThat(state.catalog().index(WatchKeys.CATALOG_CHECKS)).isEqualTo(restoredAt);
        assertThat(state.sessions().list().index()).isEqualTo(restoredAt);

        Stores.put(raft, "app/d", "after");
        assertThat(state.kv().get("app/d").index()).as("writes after the restore go on from it")
                .isGreaterThan(restoredAt);
    }

    @Test
    void everyParkedWatcherWakes() throws Exception {
        AtomicInteger woken = new AtomicInteger();
        hub.register(WatchHub.Spec.key(WatchKeys.kv("unrelated/key")), woken::incrementAndGet);
        hub.register(WatchHub.Spec.prefix(WatchKeys.kv("app/")), woken::incrementAndGet);
        hub.register(WatchHub.Spec.key(WatchKeys.CATALOG_NODES), woken::incrementAndGet);
        hub.register(WatchHub.Spec.key(WatchKeys.SESSIONS), woken::incrementAndGet);

        new Restorer(raft, 64).restore(backup);

        assertThat(woken).hasValue(4);
        assertThat(hub.waiting()).isZero();
    }

    @Test
    void aRaftSnapshotTakenMidRestoreCarriesTheStagedChunks() throws Exception {
        byte[] stateBin = Files.readAllBytes(backup.stateFile());
        int half = stateBin.length / 2;
        apply(state, new Command.RestoreChunk("r1", 0, Arrays.copyOf(stateBin, half)));

        ByteArrayOutputStream raftSnapshot = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(raftSnapshot));
        StoreState follower = new StoreState();
        follower.readFrom(new DataInputStream(new ByteArrayInputStream(raftSnapshot.toByteArray())));

        Object r1 = apply(follower, new Command.RestoreChunk("r1", half, Arrays.copyOfRange(stateBin, half, stateBin.length)));
        Object r2 = apply(follower, new Command.RestoreCommit("r1", stateBin.length, backup.sha256()));

        assertThat(r1).isEqualTo(RestoreResult.OK);
        assertThat(r2).isEqualTo(RestoreResult.OK);
        assertThat(Stores.value(follower, "app/a")).isEqualTo("alpha");
        assertThat(Stores.value(follower, "app/c")).isNull();
    }

    @Test
    void aCommitWhoseChecksumDoesNotMatchTheStagedBytesChangesNothing() throws Exception {
        byte[] stateBin = Files.readAllBytes(backup.stateFile());
        apply(state, new Command.RestoreChunk("r1", 0, stateBin));
        byte[] wrong = backup.sha256().clone();
        wrong[0] ^= 1;

        Object r = apply(state, new Command.RestoreCommit("r1", stateBin.length, wrong));

        assertThat(r).isEqualTo(RestoreResult.refused("SHA256 mismatch for the staged state of restore r1"));
        assertThat(Stores.value(state, "app/a")).isEqualTo("changed");
        assertThat(Stores.value(state, "app/c")).isEqualTo("new");
    }

    @Test
    void aMissingChunkIsCaughtAtTheCommit() throws Exception {
        byte[] stateBin = Files.readAllBytes(backup.stateFile());
        apply(state, new Command.RestoreChunk("r1", 0, Arrays.copyOf(stateBin, 10)));
        apply(state, new Command.RestoreChunk("r1", 20, Arrays.copyOfRange(stateBin, 20, stateBin.length)));

        Object r = apply(state, new Command.RestoreCommit("r1", stateBin.length, backup.sha256()));

        assertThat(r).isEqualTo(RestoreResult.refused("restore r1 is missing the bytes at offset 10"));
        assertThat(Stores.value(state, "app/a")).isEqualTo("changed");
    }

    @Test
    void aNewerRestoreSupersedesAnOlderOne() throws Exception {
        byte[] stateBin = Files.readAllBytes(backup.stateFile());
        apply(state, new Command.RestoreChunk("old", 0, Arrays.copyOf(stateBin, 10)));
        apply(state, new Command.RestoreChunk("new", 0, Arrays.copyOf(stateBin, 10)));

        Object late = apply(state, new Command.RestoreChunk("old", 10, Arrays.copyOfRange(stateBin, 10, 20)));
        Object lateCommit = apply(state, new Command.RestoreCommit("old", 20, backup.sha256()));
        apply(state, new Command.RestoreChunk("new", 10, Arrays.copyOfRange(stateBin, 10, stateBin.length)));
        Object newCommit = apply(state, new Command.RestoreCommit("new", stateBin.length, backup.sha256()));

        assertThat(late).isEqualTo(RestoreResult.refused("restore old was superseded by restore new"));
        assertThat(lateCommit).isEqualTo(RestoreResult.refused("restore old was superseded by restore new"));
        assertThat(newCommit).as("the older restore's failure did not drop the newer one").isEqualTo(RestoreResult.OK);
        assertThat(Stores.value(state, "app/a")).isEqualTo("alpha");
    }

    @Test
    void aFailedRestoreIsAbortedAndItsStagedBytesDropped() throws Exception {
        StoreState other = new StoreState();
        DirectConsensus direct = new DirectConsensus(other);
        // a Raft whose leader is lost just before the commit
        dev.cairn.store.state.Consensus failing = (dev.cairn.store.state.Consensus) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {dev.cairn.store.state.Consensus.class}, (proxy, method, args) ->
                        args != null && args[0] instanceof Command.RestoreCommit
                                ? java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no leader"))
                                : method.invoke(direct, args));

        assertThatThrownBy(() -> new Restorer(failing, 64).restore(backup))
                .isInstanceOf(Restorer.RestoreFailedException.class).hasMessageContaining("no leader");

        ByteArrayOutputStream raftSnapshot = new ByteArrayOutputStream();
        other.writeTo(new DataOutputStream(raftSnapshot));
        assertThat(raftSnapshot.size()).as("nothing staged is left in the Raft snapshot").isLessThan(300);
    }

    @Test
    void restoreCommandsRoundTripThroughTheLogEncoding() throws Exception {
        List<byte[]> encoded = new ArrayList<>();
        encoded.add(CommandCodec.encodeCommand(new Command.RestoreChunk("r", 7, new byte[] {1, 2, 3})));
        encoded.add(CommandCodec.encodeCommand(new Command.RestoreCommit("r", 10, new byte[] {9})));
        encoded.add(CommandCodec.encodeCommand(new Command.RestoreAbort("r")));

        List<Command> decoded = CommandCodec.decodeBatch(CommandCodec.encodeBatch(encoded));
        List<Object> results = CommandCodec.decodeResults(CommandCodec.encodeResults(
                List.of(RestoreResult.OK, RestoreResult.refused("why"))));

        Command.RestoreChunk chunk = (Command.RestoreChunk) decoded.get(0);
        assertThat(chunk.restoreId()).isEqualTo("r");
        assertThat(chunk.offset()).isEqualTo(7);
        assertThat(chunk.data()).containsExactly(1, 2, 3);
        Command.RestoreCommit commit = (Command.RestoreCommit) decoded.get(1);
        assertThat(commit.length()).isEqualTo(10);
        assertThat(commit.sha256()).containsExactly(9);
        assertThat(decoded.get(2)).isEqualTo(new Command.RestoreAbort("r"));
        assertThat(results).containsExactly(RestoreResult.OK, RestoreResult.refused("why"));
    }

    private long index = 1000;

    private Object apply(StoreState target, Command c) {
        return target.apply(List.of(c), ++index).get(0);
    }
}

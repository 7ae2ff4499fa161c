package dev.cairn.store.raft;

import dev.cairn.store.state.Command;
import dev.cairn.store.state.CommandCodec;
import dev.cairn.store.state.StoreState;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Bridges Ratis to {@link StoreState}: applies committed log entries in order, and saves/loads
 * snapshots so that a restart replays only the log written since the last snapshot.
 *
 * <p>An exception escaping {@code applyTransaction} would stop the Ratis server, so an entry that
 * cannot be decoded fails only its own future (every replica fails it the same way).
 */
final class CairnStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(CairnStateMachine.class);

    private final StoreState state;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    /**
     * Whether a snapshot was taken or loaded. A leader asks for the latest snapshot before each
     * appendEntries to each follower, and while there is none, Ratis' storage lists the snapshot
     * folder to answer: 5.5% of a busy leader's CPU until its first snapshot (profiled, 3
     * servers under spread PUT). A snapshot only appears through {@link #takeSnapshot} or a load
     * (at start, and after installing the leader's), so until then the answer is "none" at once.
     */
    private volatile boolean hasSnapshot;

    CairnStateMachine(StoreState state) {
        this.state = state;
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(() -> loadSnapshot(storage.loadLatestSnapshot()));
    }

    /**
     * A follower about to install a snapshot sent by the leader (it fell behind the purged log):
     * Ratis checks that the state machine is PAUSED before it reloads it.
     */
    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** After a snapshot install: the state becomes the snapshot's, and watchers all wake. */
    @Override
    public void reinitialize() throws IOException {
        getLifeCycle().startAndTransition(() -> loadSnapshot(storage.loadLatestSnapshot()));
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return hasSnapshot ? storage.getLatestSnapshot() : null;
    }

    private void loadSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file.toPath()), 1 << 16))) {
            state.readFrom(in);
        }
        updateLastAppliedTermIndex(snapshot.getTermIndex());
        state.term(snapshot.getTerm());
        hasSnapshot = true;
        LOG.info("loaded snapshot {} (index {})", file, snapshot.getIndex());
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        File target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        File tmp = new File(target.getPath() + ".tmp");
        long start = System.nanoTime();
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp.toPath()), 1 << 16))) {
            state.writeTo(out);
        }
        long written = System.nanoTime();
        Files.move(tmp.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        var digest = MD5FileUtil.computeAndSaveMd5ForFile(target);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), digest), last));
        hasSnapshot = true;
        // applies wait while the state is written (StoreState.writeTo): worth seeing for a large store
        LOG.info("took snapshot {} at index {}: {} bytes, state written in {} ms (applies waited meanwhile), {} ms in all",
                target.getName(), last.getIndex(), target.length(), (written - start) / 1_000_000,
                (System.nanoTime() - start) / 1_000_000);
        return last.getIndex();
    }

    /** Configuration changes and leader no-ops also take a log index: reads may report it. */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        state.term(term);
        state.advance(index);
        super.notifyTermIndexUpdated(term, index);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        long index = entry.getIndex();
        state.term(entry.getTerm());
        try {
            List<Command> commands = CommandCodec.decodeBatch(
                    entry.getStateMachineLogEntry().getLogData().toByteArray());
            List<Object> results = state.apply(commands, index);
            updateLastAppliedTermIndex(entry.getTerm(), index);
            return CompletableFuture.completedFuture(Message.valueOf(
                    ByteString.copyFrom(CommandCodec.encodeResults(results))));
        } catch (IOException | RuntimeException e) {
            state.advance(index);
            updateLastAppliedTermIndex(entry.getTerm(), index);
            LOG.error("log entry {} could not be applied: {}", index, e.toString());
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Linearizable reads go through Ratis' ReadIndex; once it answers, local state is current. */
    @Override
    public CompletableFuture<Message> query(Message request) {
        return CompletableFuture.completedFuture(Message.EMPTY);
    }
}

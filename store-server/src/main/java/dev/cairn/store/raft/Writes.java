package dev.cairn.store.raft;

import dev.cairn.store.state.Command;
import dev.cairn.store.state.CommandCodec;
import dev.cairn.store.state.ForwardedResult;
import dev.cairn.store.state.Consensus.RaftCounters;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a server's writes go: through its group commit ({@link GroupCommitter}) into its own log
 * when it leads, or forwarded to the leader's group commit when it follows, with the RaftClient
 * as the way around when the leader is unknown, unreachable or died with a batch in flight.
 */
final class Writes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Writes.class);

    private final RaftNode node;
    private final ClusterRpc rpc;
    /** Ends the group commit's lingers (see {@link GroupCommitter}). */
    private final ScheduledExecutorService lingerTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "group-commit-linger");
        t.setDaemon(true);
        return t;
    });
    private final GroupCommitter committer = new GroupCommitter(this::propose, GroupCommitter.LINGER, lingerTimer);
    private final AtomicLong entriesAppended = new AtomicLong();
    private final AtomicLong writesForwarded = new AtomicLong();
    /** This process's name on the batches it forwards (see {@link #forward}): new at every start. */
    private final UUID origin = UUID.randomUUID();
    private final AtomicLong forwardSeq = new AtomicLong();

    Writes(RaftNode node, ClusterRpc rpc) {
        this.node = node;
        this.rpc = rpc;
    }

    CompletableFuture<Object> submit(Command command) {
        return committer.submit(command);
    }

    RaftCounters counters() {
        return new RaftCounters(entriesAppended.get(), writesForwarded.get());
    }

    /**
     * Where a batch of writes goes. A leader appends it as one entry, straight to its own Raft
     * server: through the RaftClient it would travel over gRPC to ourselves and back, which cost
     * ~40% of the server's CPU per KV write (BENCHMARKS.md). A follower forwards it to the leader,
     * whose group commit puts it with the writes it received itself (see {@link #forward}).
     */
    private CompletableFuture<List<GroupCommitter.Outcome>> propose(List<byte[]> commands) {
        if (!node.formed()) {
            return CompletableFuture.failedFuture(new NoLeaderException(node.notFormedReason()));
        }
        byte[] batch = CommandCodec.encodeBatch(commands);
        if (!node.leadsNow()) {
            return forward(batch, commands.size());
        }
        CompletableFuture<RaftClientReply> local;
        try {
            local = node.appendLocally(batch);
        } catch (IOException e) {
            return forward(batch, commands.size());
        }
        // only a refusal (nothing appended) goes another way: a failure after that may have been
        // applied, and sending the batch again could apply the same writes twice
        return local.handle((reply, error) -> {
            if (error != null || reply.getNotLeaderException() != null || reply.getLeaderNotReadyException() != null) {
                return forward(batch, commands.size());
            }
            entriesAppended.incrementAndGet();
            return CompletableFuture.completedFuture(outcomes(reply));
        }).thenCompose(f -> f);
    }

    /**
     * A follower's batch, sent to the leader's group commit over {@code cairn.Cluster}. Each
     * follower batch used to be a Raft entry of its own (sent through the RaftClient), and a
     * cluster commits only so many entries per second: with the load spread over three servers,
     * entries carried 3-4 writes instead of 10 and the cluster wrote half as much (BENCHMARKS.md).
     *
     * <p>The batch travels as a {@link Command.Forwarded} under this process's {@link #origin} and
     * a sequence number, which the state machine applies at most once. So when the leader dies
     * with the batch in flight, or answers that it could not commit it, the batch is proposed
     * again through the RaftClient (which waits for the next leader): had the first copy been
     * committed after all, the second answers with its results instead of applying the writes
     * twice. The RaftClient is also the way when the leader is unknown or not connected yet.
     */
    private CompletableFuture<List<GroupCommitter.Outcome>> forward(byte[] batch, int commands) {
        byte[] forwarded = CommandCodec.encodeForwarded(origin, forwardSeq.incrementAndGet(), batch);
        // a leader that is not ready yet (or refused the batch) waits through the client too
        Optional<String> leader = node.leadsNow() ? Optional.empty() : node.leaderAddress();
        if (leader.isEmpty() || !rpc.connected(leader.get())) {
            return viaClient(forwarded, commands);
        }
        return rpc.callAsync(leader.get(), ClusterRpc.PROPOSE, forwarded, RaftNode.LEADER_WAIT).handle((reply, error) -> {
            ForwardedResult result = null;
            if (error == null) {
                try {
                    result = ForwardedBatch.decode(reply);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            } else {
                LOG.info("forwarding {} writes to the leader {} failed ({}): proposing them again through the next leader",
                        commands, leader.get(), error instanceof StatusRuntimeException e ? e.getStatus() : error);
            }
            if (result == null) {
                return viaClient(forwarded, commands);
            }
            writesForwarded.addAndGet(commands);
            return CompletableFuture.completedFuture(outcomes(result, commands));
        }).thenCompose(f -> f);
    }

    /** A forwarded batch as an entry of its own, through the RaftClient (see {@link #forward}). */
    private CompletableFuture<List<GroupCommitter.Outcome>> viaClient(byte[] forwarded, int commands) {
        byte[] entry = CommandCodec.encodeBatch(List.of(forwarded));
        return node.sendViaClient(entry)
                .thenApply(reply -> outcomes((ForwardedResult) outcomes(reply).get(0).result(), commands));
    }

    private static List<GroupCommitter.Outcome> outcomes(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new CompletionException(reply.getException());
        }
        try {
            return CommandCodec.decodeResults(reply.getMessage().getContent().toByteArray()).stream()
                    .map(GroupCommitter.Outcome::ok).toList();
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }

    private static List<GroupCommitter.Outcome> outcomes(ForwardedResult result, int commands) {
        if (result.refused() != null) {
            return Collections.nCopies(commands, GroupCommitter.Outcome.failed(result.refused()));
        }
        // a count that does not match the batch fails it in GroupCommitter.complete
        return result.results().stream().map(GroupCommitter.Outcome::ok).toList();
    }

    /** The leader's side of {@link #forward}: the batch joins this server's group commit. */
    CompletableFuture<byte[]> onPropose(byte[] forwarded) {
        if (!node.isLeader()) {
            return CompletableFuture.completedFuture(ForwardedBatch.notLeader());
        }
        try {
            // a malformed command would fail the whole entry it shares with other writes
            if (!(CommandCodec.decodeCommand(forwarded) instanceof Command.Forwarded)) {
                throw new IOException("not a forwarded batch");
            }
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new IOException("malformed forwarded batch: " + e.getMessage(), e));
        }
        return committer.submitEncoded(forwarded).handle((result, error) -> error != null
                ? ForwardedBatch.failed(error)
                : ForwardedBatch.done((ForwardedResult) result));
    }

    @Override
    public void close() {
        committer.close();
        lingerTimer.shutdownNow();
    }
}

package dev.cairn.store.raft;

import dev.cairn.store.state.Command;
import dev.cairn.store.state.Consensus;
import dev.cairn.store.state.StoreState;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This server's member of the Raft group (Apache Ratis over gRPC), plus the client it uses to
 * propose writes. The whole store is one group; its id is derived from the datacenter name.
 */
public final class RaftNode implements Consensus, AutoCloseable {

    /** One member of the group: its id is the node name, its address host:raft-port. */
    public record Peer(String id, String address) {
    }

    private final RaftServer server;
    private final RaftClient client;
    private final RaftGroup group;
    private final RaftPeerId selfId;
    private final GroupCommitter committer;
    private final ClientId localClientId = ClientId.randomId();
    private final AtomicLong localCallId = new AtomicLong();

    private RaftNode(RaftServer server, RaftClient client, RaftGroup group, RaftPeerId selfId) {
        this.server = server;
        this.client = client;
        this.group = group;
        this.selfId = selfId;
        this.committer = new GroupCommitter(this::propose);
    }

    /**
     * Starts this server's Raft member. An existing data dir is recovered (log and snapshots are
     * replayed); a new one is formatted with {@code peers} as the initial configuration.
     */
    public static RaftNode start(StoreState state, Path raftDir, String datacenter, Peer self,
                                 List<Peer> peers, long snapshotThreshold) throws IOException {
        RaftProperties props = properties(raftDir, self, snapshotThreshold);
        RaftGroupId groupId = RaftGroupId.valueOf(
                UUID.nameUUIDFromBytes(("cairn/" + datacenter).getBytes(StandardCharsets.UTF_8)));
        RaftGroup group = RaftGroup.valueOf(groupId, peers.stream()
                .map(p -> RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).build())
                .toList());
        boolean existing = Files.isDirectory(raftDir.resolve(groupId.getUuid().toString()));
        RaftPeerId selfId = RaftPeerId.valueOf(self.id());
        RaftServer server = RaftServer.newBuilder()
                .setServerId(selfId)
                .setGroup(group)
                .setStateMachine(new CairnStateMachine(state))
                .setProperties(props)
                .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        server.start();
        RaftClient client = RaftClient.newBuilder()
                .setProperties(props)
                .setRaftGroup(group)
                // bounded: with no leader a write fails after ~10 s instead of hanging forever
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(100,
                        TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
        return new RaftNode(server, client, group, selfId);
    }

    private static RaftProperties properties(Path raftDir, Peer self, long snapshotThreshold) {
        RaftProperties props = new RaftProperties();
        RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
        RaftServerConfigKeys.setStorageDir(props, List.of(raftDir.toFile()));
        int port = Integer.parseInt(self.address().substring(self.address().lastIndexOf(':') + 1));
        GrpcConfigKeys.Server.setPort(props, port);
        // listen where -bind says, not on every interface
        GrpcConfigKeys.Server.setHost(props, self.address().substring(0, self.address().lastIndexOf(':')));
        // JVM pauses must not cost a leader election: well above Ratis' 150/300 ms defaults
        RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(2000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(props, TimeDuration.valueOf(150, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(props, TimeDuration.valueOf(400, TimeUnit.MILLISECONDS));
        // without the auto-trigger nothing is ever compacted and a restart replays the whole log
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, snapshotThreshold);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(props, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
        // entries carry up to GroupCommitter.MAX_BATCH_BYTES (values are at most 512 KiB each)
        RaftServerConfigKeys.Log.setSegmentSizeMax(props, SizeInBytes.valueOf("32MB"));
        RaftServerConfigKeys.Log.setWriteBufferSize(props, SizeInBytes.valueOf("9MB"));
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(props, SizeInBytes.valueOf("8MB"));
        GrpcConfigKeys.setMessageSizeMax(props, SizeInBytes.valueOf("16MB"));
        RaftServerConfigKeys.Read.setOption(props, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(props, true);
        // Ratis' default appends a metadata entry (the commit index) after every commit: twice the
        // log writes and fsyncs, and ModifyIndex advancing by 2 per write. Raft does not need it;
        // a restarted server learns the commit index from its leader (or, alone, from its next commit).
        RaftServerConfigKeys.Log.setLogMetadataEnabled(props, false);
        return props;
    }

    /**
     * Hands an entry straight to this server when it leads: the RaftClient would carry it over
     * gRPC to ourselves and back, which cost ~40% of the server's CPU per KV write (BENCHMARKS.md).
     * A follower, or a leader that just stepped down, goes through the client, which finds the leader.
     */
    private CompletableFuture<RaftClientReply> propose(Message message) {
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(localClientId)
                .setServerId(selfId)
                .setGroupId(group.getGroupId())
                .setCallId(localCallId.incrementAndGet())
                .setMessage(message)
                .setType(RaftClientRequest.writeRequestType())
                .build();
        CompletableFuture<RaftClientReply> local;
        try {
            local = server.submitClientRequestAsync(request);
        } catch (IOException e) {
            return client.async().send(message);
        }
        // only a local refusal falls back to the client: a client failure is not retried here, since
        // a resend carries a new call id and could apply the same write twice
        return local.handle((reply, error) -> error != null || reply.getNotLeaderException() != null
                        || reply.getLeaderNotReadyException() != null
                        ? client.async().send(message)
                        : CompletableFuture.completedFuture(reply))
                .thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<Object> submit(Command command) {
        return committer.submit(command);
    }

    /**
     * Completes once local state reflects every write acknowledged before this call (Raft
     * ReadIndex). A lone server is current once it has replayed its log: after that it
     * acknowledges only applied writes.
     */
    @Override
    public CompletableFuture<Void> readBarrier() {
        if (group.getPeers().size() == 1) {
            DivisionInfo info = info();
            if (info.isLeader() && info.isLeaderReady()) {
                return CompletableFuture.completedFuture(null);
            }
            return awaitLeaderReady(System.nanoTime() + READY_TIMEOUT.toNanos());
        }
        return client.async().sendReadOnly(Message.EMPTY, selfId).thenApply(reply -> {
            if (!reply.isSuccess()) {
                throw new NoLeaderException("linearizable read failed: " + reply.getException());
            }
            return null;
        });
    }

    private static final java.time.Duration READY_TIMEOUT = java.time.Duration.ofSeconds(10);
    private final java.util.concurrent.ScheduledExecutorService readyPoller =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cairn-raft-ready");
                t.setDaemon(true);
                return t;
            });

    /**
     * A lone server becomes "leader ready" once it has applied the first entry of its term, which
     * comes after every entry of its log: until then a restarted server is still replaying, and a
     * read would see keys missing and the index behind what clients saw before the restart.
     */
    private CompletableFuture<Void> awaitLeaderReady(long deadlineNanos) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Runnable[] poll = new Runnable[1];
        poll[0] = () -> {
            DivisionInfo info = info();
            if (info.isLeader() && info.isLeaderReady()) {
                ready.complete(null);
            } else if (System.nanoTime() > deadlineNanos) {
                ready.completeExceptionally(new NoLeaderException("the server is still starting (replaying its log)"));
            } else {
                readyPoller.schedule(poll[0], 10, TimeUnit.MILLISECONDS);
            }
        };
        readyPoller.execute(poll[0]);
        return ready;
    }

    private DivisionInfo info() {
        try {
            return server.getDivision(group.getGroupId()).getInfo();
        } catch (IOException e) {
            throw new IllegalStateException("raft group not running", e);
        }
    }

    @Override
    public boolean knownLeader() {
        return info().getLeaderId() != null;
    }

    @Override
    public boolean isLeader() {
        return info().isLeader();
    }

    @Override
    public List<String> peerAddresses() {
        return peers().stream().map(Peer::address).toList();
    }

    @Override
    public Optional<String> leaderAddress() {
        RaftPeerId leader = info().getLeaderId();
        if (leader == null) {
            return Optional.empty();
        }
        return peers().stream().filter(p -> p.id().equals(leader.toString())).map(Peer::address).findFirst();
    }

    @Override
    public long lastContactMillis() {
        DivisionInfo info = info();
        if (info.isLeader()) {
            return 0;
        }
        var role = info.getRoleInfoProto();
        if (role.hasFollowerInfo() && role.getFollowerInfo().hasLeaderInfo()) {
            return role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs();
        }
        return 0;
    }

    public List<Peer> peers() {
        try {
            return server.getDivision(group.getGroupId()).getRaftConf().getCurrentPeers().stream()
                    .map(p -> new Peer(p.getId().toString(), p.getAddress()))
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException("raft group not running", e);
        }
    }

    public File storageDir() {
        try {
            return server.getDivision(group.getGroupId()).getRaftStorage().getStorageDir().getRoot();
        } catch (IOException e) {
            throw new IllegalStateException("raft group not running", e);
        }
    }

    @Override
    public void close() throws IOException {
        readyPoller.shutdownNow();
        committer.close();
        client.close();
        server.close();
    }
}

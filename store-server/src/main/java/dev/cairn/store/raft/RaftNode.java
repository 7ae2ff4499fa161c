package dev.cairn.store.raft;

import dev.cairn.store.state.ClusterServer;
import dev.cairn.store.state.Command;
import dev.cairn.store.state.Consensus;
import dev.cairn.store.state.StoreState;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.AlreadyExistsException;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * This server's member of the Raft group (Apache Ratis over gRPC): forming and changing the
 * group, linearizable reads, and the means {@link Writes} uses to get writes committed (its own
 * log when it leads, the RaftClient otherwise). The whole store is one group; its id is derived
 * from the datacenter name.
 */
public final class RaftNode implements Consensus, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);

    /** One member of the group: its id is the node name, its address host:raft-port. */
    public record Peer(String id, String address) {
        RaftPeer toRaft() {
            return RaftPeer.newBuilder().setId(id).setAddress(address).build();
        }

        static Peer of(RaftPeer p) {
            return new Peer(p.getId().toString(), p.getAddress());
        }
    }

    private final RaftServer server;
    private final RaftProperties props;
    private final RaftGroupId groupId;
    private final Peer self;
    private final RaftPeerId selfId;
    private final ClusterRpc rpc;
    private final Writes writes;
    private final SharedReads sharedReads;
    private final ExecutorService readLauncher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cairn-read-index");
        t.setDaemon(true);
        return t;
    });
    private final ClientId localClientId = ClientId.randomId();
    private final AtomicLong localCallId = new AtomicLong();
    private final ExecutorService membershipCalls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cairn-membership");
        t.setDaemon(true);
        return t;
    });
    /** Built on first use, once this server runs the group. */
    private volatile RaftClient client;
    private final Object clientLock = new Object();
    private final Object formLock = new Object();
    private volatile Discovery discovery;
    private volatile Function<String, Boolean> renewHandler = id -> false;

    private RaftNode(RaftServer server, RaftProperties props, RaftGroupId groupId, Peer self, ClusterRpc rpc) {
        this.server = server;
        this.props = props;
        this.groupId = groupId;
        this.self = self;
        this.selfId = RaftPeerId.valueOf(self.id());
        this.rpc = rpc;
        this.writes = new Writes(this, rpc);
        this.sharedReads = new SharedReads(this::readIndexRound, readLauncher);
    }

    /**
     * Starts this server's Raft member. An existing data dir is recovered (log and snapshots are
     * replayed, and the group's last configuration says who the peers are). A new one runs no
     * group until {@link #bootstrapAlone()}, {@link #discover} or another server adds it.
     */
    public static RaftNode start(StoreState state, Path raftDir, String datacenter, Peer self,
                                 Log log) throws IOException {
        RaftProperties props = properties(raftDir, self, log);
        RaftGroupId groupId = RaftGroupId.valueOf(
                UUID.nameUUIDFromBytes(("cairn/" + datacenter).getBytes(StandardCharsets.UTF_8)));
        ClusterRpc rpc = new ClusterRpc();
        RaftNode[] node = new RaftNode[1];
        Parameters parameters = new Parameters();
        // the customizer runs while the server starts: the handlers look the node up when called
        GrpcConfigKeys.Server.setServicesCustomizer(parameters, (builder, types) -> types.contains(GrpcServices.Type.SERVER)
                ? builder.addService(ClusterRpc.service(Map.of(
                ClusterRpc.HELLO, ClusterRpc.Handler.json(ClusterRpc.Hello.class, h -> node[0].onHello(h)),
                ClusterRpc.JOIN, ClusterRpc.Handler.json(ClusterRpc.Join.class, j -> node[0].onJoin(j)),
                ClusterRpc.RENEW, ClusterRpc.Handler.json(ClusterRpc.Renew.class, r -> node[0].onRenew(r)),
                ClusterRpc.PROPOSE, batch -> node[0].writes.onPropose(batch))))
                : builder);
        // no group given: Ratis recovers every group found in the storage dir, and a new dir runs none
        RaftServer server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(self.id()))
                .setStateMachine(new CairnStateMachine(state))
                .setProperties(props)
                .setParameters(parameters)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        node[0] = new RaftNode(server, props, groupId, self, rpc);
        server.start();
        return node[0];
    }

    /** Whether this server runs the cluster's group (recovered, formed, or added by another server). */
    public boolean formed() {
        for (RaftGroupId id : server.getGroupIds()) {
            if (id.equals(groupId)) {
                return true;
            }
        }
        return false;
    }

    /** A lone server with a new data dir: a group of one, leader at once. */
    public void bootstrapAlone() throws IOException {
        form(List.of(self));
    }

    /**
     * A new server of a cluster: finds the others from {@code join} addresses, then forms the
     * group once {@code expect} servers have met, or joins the cluster one of them belongs to.
     */
    public void discover(int expect, List<String> join) {
        discovery = Discovery.start(this, rpc, self, expect, join);
    }

    /** Starts the group here with {@code peers} as its first configuration. */
    void form(List<Peer> peers) throws IOException {
        synchronized (formLock) {
            formLocked(peers);
        }
    }

    private void formLocked(List<Peer> peers) throws IOException {
        if (formed()) {
            return;
        }
        RaftGroup group = RaftGroup.valueOf(groupId, peers.stream().map(Peer::toRaft).toList());
        RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(
                localClientId, selfId, localCallId.incrementAndGet(), group, true));
        if (!reply.isSuccess()) {
            throw new IOException("could not start the Raft group: " + reply.getException());
        }
        LOG.info("raft group started with {}", peers);
    }

    private RaftClient client() {
        RaftClient c = client;
        if (c == null) {
            synchronized (clientLock) {
                c = client;
                if (c == null) {
                    // it starts with this server alone: a follower's NotLeader answers name the leader
                    // and the peers, so the client follows the cluster as it changes
                    c = client = RaftClient.newBuilder()
                            .setProperties(props)
                            .setRaftGroup(RaftGroup.valueOf(groupId, self.toRaft()))
                            // bounded: with no leader a write fails after ~10 s instead of hanging forever
                            .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(100,
                                    TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                            .build();
                }
            }
        }
        return c;
    }

    private RaftServer.Division division() {
        try {
            return server.getDivision(groupId);
        } catch (IOException e) {
            throw new NoLeaderException(notFormedReason());
        }
    }

    String notFormedReason() {
        Discovery d = discovery;
        return d != null ? d.waitingFor() : "this server has not joined a cluster";
    }

    /**
     * How the log is compacted: a snapshot every {@code snapshotThreshold} entries, log segments of
     * {@code segmentBytes} (only whole segments behind a snapshot are purged). Tests lower both so
     * that a server left far behind must catch up from a snapshot.
     */
    public record Log(long snapshotThreshold, long segmentBytes) {
        public static final long DEFAULT_SEGMENT_BYTES = 32L << 20;
    }

    private static RaftProperties properties(Path raftDir, Peer self, Log log) {
        RaftProperties props = new RaftProperties();
        RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
        RaftServerConfigKeys.setStorageDir(props, List.of(raftDir.toFile()));
        int port = Integer.parseInt(self.address().substring(self.address().lastIndexOf(':') + 1));
        GrpcConfigKeys.Server.setPort(props, port);
        // listen where -bind says, not on every interface
        GrpcConfigKeys.Server.setHost(props, self.address().substring(0, self.address().lastIndexOf(':')));
        // Election timeout. A follower sleeps a random timeout, then checks whether the leader was
        // silent that long; if the leader died mid-sleep it sleeps once more, so a dead leader is
        // noticed after 1-2 timeouts. 1-2 s (what etcd and Consul use, counted from the last
        // heartbeat there) gave a median failover of 2.1-2.4 s, etcd's 1.2-1.3 s; 0.5-1 s halves it.
        // Still well above Ratis' 150/300 ms defaults, so that JVM pauses cost no election: the
        // leader sends a heartbeat every 250 ms (half the minimum).
        RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(props, TimeDuration.valueOf(150, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(props, TimeDuration.valueOf(400, TimeUnit.MILLISECONDS));
        // without the auto-trigger nothing is ever compacted and a restart replays the whole log
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, log.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(props, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
        RaftServerConfigKeys.Log.setPurgeGap(props, (int) Math.min(1024, log.snapshotThreshold()));
        // entries carry up to GroupCommitter.MAX_BATCH_BYTES (values are at most 512 KiB each)
        RaftServerConfigKeys.Log.setSegmentSizeMax(props, SizeInBytes.valueOf(log.segmentBytes()));
        RaftServerConfigKeys.Log.setWriteBufferSize(props, SizeInBytes.valueOf("9MB"));
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(props, SizeInBytes.valueOf("8MB"));
        GrpcConfigKeys.setMessageSizeMax(props, SizeInBytes.valueOf("16MB"));
        // a snapshot sent to a far-behind follower goes in chunks: Ratis' default chunk (16 MB) plus
        // its header would not fit in one gRPC message, and the follower would never catch up
        RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(props, SizeInBytes.valueOf("4MB"));
        RaftServerConfigKeys.Read.setOption(props, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(props, true);
        // Ratis' default appends a metadata entry (the commit index) after every commit: twice the
        // log writes and fsyncs, and ModifyIndex advancing by 2 per write. Raft does not need it;
        // a restarted server learns the commit index from its leader (or, alone, from its next commit).
        RaftServerConfigKeys.Log.setLogMetadataEnabled(props, false);
        return props;
    }

    @Override
    public RaftCounters counters() {
        return writes.counters();
    }

    @Override
    public CompletableFuture<Object> submit(Command command) {
        return writes.submit(command);
    }

    /** A batch appended to this server's own log as one entry (it must be the leader). */
    CompletableFuture<RaftClientReply> appendLocally(byte[] batch) throws IOException {
        return server.submitClientRequestAsync(request(Message.valueOf(ByteString.copyFrom(batch)),
                RaftClientRequest.writeRequestType()));
    }

    /** An entry sent through the RaftClient, which finds the leader and waits for one if need be. */
    CompletableFuture<RaftClientReply> sendViaClient(byte[] entry) {
        return viaLeader(client().async().send(Message.valueOf(ByteString.copyFrom(entry))));
    }

    /** Whether this server leads at this moment (false while the group is not formed). */
    boolean leadsNow() {
        return formed() && info().isLeader();
    }

    /**
     * Completes once local state reflects every write acknowledged before this call (Raft
     * ReadIndex, which a follower asks of the leader). A lone server is current once it has
     * replayed its log: after that it acknowledges only applied writes.
     */
    @Override
    public CompletableFuture<Void> readBarrier() {
        if (!formed()) {
            return CompletableFuture.failedFuture(new NoLeaderException(notFormedReason()));
        }
        if (division().getRaftConf().getCurrentPeers().size() == 1) {
            DivisionInfo info = info();
            if (info.isLeader() && info.isLeaderReady()) {
                return CompletableFuture.completedFuture(null);
            }
            return awaitLeaderReady(System.nanoTime() + READY_TIMEOUT.toNanos());
        }
        return sharedReads.barrier();
    }

    /**
     * One ReadIndex round, asked of this server directly (as writes are): a leader confirms its
     * lease, a follower asks the leader for the read index and waits until it has applied that far.
     * A refusal (say, mid-election) is retried through the client, which waits for a leader.
     */
    private CompletableFuture<Void> readIndexRound() {
        CompletableFuture<RaftClientReply> local;
        try {
            local = server.submitClientRequestAsync(request(Message.EMPTY, RaftClientRequest.readRequestType()));
        } catch (IOException e) {
            local = CompletableFuture.failedFuture(e);
        }
        return local.handle((reply, error) -> error == null && reply.isSuccess()
                        ? CompletableFuture.<RaftClientReply>completedFuture(reply)
                        : viaLeader(client().async().sendReadOnly(Message.EMPTY, selfId)))
                .thenCompose(f -> f)
                .handle((reply, error) -> {
                    if (error != null || !reply.isSuccess()) {
                        Object why = error != null ? error : reply.getException();
                        throw new NoLeaderException("linearizable read failed: " + why);
                    }
                    return null;
                });
    }

    /**
     * Bounds a request that waits for a leader: the client's retries alone took 12-17 s without a
     * quorum (each attempt has its own timeout); clients get their 500 "No cluster leader" after
     * {@link #LEADER_WAIT} instead. The request may still commit later, as any write answered 5xx may.
     */
    private static CompletableFuture<RaftClientReply> viaLeader(CompletableFuture<RaftClientReply> request) {
        return request.orTimeout(LEADER_WAIT.toMillis(), TimeUnit.MILLISECONDS).exceptionally(error -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof java.util.concurrent.TimeoutException) {
                throw new CompletionException(new NoLeaderException(
                        "no leader answered within " + LEADER_WAIT.toSeconds() + " s (is a majority of the servers up?)"));
            }
            throw error instanceof CompletionException ce ? ce : new CompletionException(error);
        });
    }

    static final Duration LEADER_WAIT = Duration.ofSeconds(10);

    private RaftClientRequest request(Message message, RaftClientRequest.Type type) {
        return RaftClientRequest.newBuilder()
                .setClientId(localClientId)
                .setServerId(selfId)
                .setGroupId(groupId)
                .setCallId(localCallId.incrementAndGet())
                .setMessage(message)
                .setType(type)
                .build();
    }

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    private final ScheduledExecutorService readyPoller = Executors.newSingleThreadScheduledExecutor(r -> {
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
        return division().getInfo();
    }

    @Override
    public boolean knownLeader() {
        return formed() && info().getLeaderId() != null;
    }

    @Override
    public boolean isLeader() {
        return formed() && info().isLeader();
    }

    @Override
    public List<ClusterServer> servers() {
        if (!formed()) {
            return List.of();
        }
        DivisionInfo info = info();
        RaftPeerId leader = info.getLeaderId();
        return peers().stream()
                .map(p -> new ClusterServer(p.id(), p.address(), leader != null && leader.toString().equals(p.id())))
                .toList();
    }

    @Override
    public Optional<String> leaderAddress() {
        return servers().stream().filter(ClusterServer::leader).map(ClusterServer::address).findFirst();
    }

    @Override
    public long lastContactMillis() {
        if (!formed()) {
            return 0;
        }
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

    /**
     * On the leader: how long ago each other server last answered, by id. Empty elsewhere. Used
     * to mark servers that stopped answering as failed in the catalog.
     */
    public Map<String, Long> followerSilenceMillis() {
        if (!isLeader()) {
            return Map.of();
        }
        var role = info().getRoleInfoProto();
        Map<String, Long> silence = new HashMap<>();
        for (var follower : role.getLeaderInfo().getFollowerInfoList()) {
            silence.put(follower.getId().getId().toStringUtf8(),
                    follower.getLastRpcElapsedTimeMs());
        }
        return silence;
    }

    public List<Peer> peers() {
        return division().getRaftConf().getCurrentPeers().stream().map(Peer::of).toList();
    }

    public long configurationIndex() {
        return division().getRaftConf().getLogEntryIndex();
    }

    // ------------------------------------------------------------------ membership

    private CompletableFuture<ClusterRpc.HelloReply> onHello(ClusterRpc.Hello hello) {
        Discovery d = discovery;
        if (d != null) {
            d.met(hello.from());
        }
        List<Peer> members = formed() ? peers() : null;
        List<Peer> known = members != null ? members : d != null ? d.known() : List.of(self);
        return CompletableFuture.completedFuture(new ClusterRpc.HelloReply(self, known, members));
    }

    private CompletableFuture<List<Peer>> onJoin(ClusterRpc.Join join) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return addServer(join.peer());
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, membershipCalls);
    }

    private CompletableFuture<Boolean> onRenew(ClusterRpc.Renew renew) {
        return CompletableFuture.completedFuture(renewHandler.apply(renew.session()));
    }

    /** Who answers session renews sent to the leader by other servers. */
    public void renewHandler(Function<String, Boolean> handler) {
        this.renewHandler = handler;
    }

    /** Asks the leader to restart a session's TTL; true when the session exists there. */
    public CompletableFuture<Boolean> renewOnLeader(String session) {
        Optional<String> leader = leaderAddress();
        if (leader.isEmpty()) {
            return CompletableFuture.failedFuture(new NoLeaderException("no cluster leader to renew the session with"));
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return rpc.call(leader.get(), ClusterRpc.RENEW, new ClusterRpc.Renew(session), Boolean.class,
                        Duration.ofSeconds(5));
            } catch (IOException e) {
                throw new CompletionException(new NoLeaderException(e.getMessage()));
            }
        }, membershipCalls);
    }

    /** Asks the server at {@code address} who it is (its id and whom it knows). */
    public Peer identify(String address) throws IOException {
        return rpc.call(address, ClusterRpc.HELLO, new ClusterRpc.Hello(self, 0), ClusterRpc.HelloReply.class,
                Duration.ofSeconds(5)).self();
    }

    /**
     * Makes {@code peer} a voting member: starts the group on it (it must be running with no
     * group, e.g. waiting to join) and then changes the configuration through the leader.
     * Returns the new members.
     */
    public List<Peer> addServer(Peer peer) throws IOException {
        if (!formed()) {
            throw new IOException("server " + self.id() + " is not a member of a cluster yet");
        }
        List<Peer> current = peers();
        if (current.stream().noneMatch(p -> p.id().equals(peer.id()))) {
            if (current.stream().anyMatch(p -> p.address().equals(peer.address()))) {
                throw new IOException("address " + peer.address() + " already belongs to another member");
            }
            List<RaftPeer> members = new ArrayList<>(current.stream().map(Peer::toRaft).toList());
            members.add(peer.toRaft());
            startGroupOn(peer, RaftGroup.valueOf(groupId, members));
        }
        changeConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                .setServersInNewConf(List.of(peer.toRaft()))
                .setMode(SetConfigurationRequest.Mode.ADD)
                .build());
        LOG.info("server {} ({}) added to the cluster", peer.id(), peer.address());
        return peers();
    }

    /** Removes the member with this id (or address) from the configuration; false if none has it. */
    public boolean removeServer(String idOrAddress) throws IOException {
        for (int attempt = 0; ; attempt++) {
            List<Peer> current = peers();
            List<Peer> remaining = current.stream()
                    .filter(p -> !p.id().equals(idOrAddress) && !p.address().equals(idOrAddress)).toList();
            if (remaining.size() == current.size()) {
                return false;
            }
            if (remaining.isEmpty()) {
                throw new IOException("cannot remove the last server of the cluster");
            }
            try {
                changeConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInCurrentConf(current.stream().map(Peer::toRaft).toList())
                        .setServersInNewConf(remaining.stream().map(Peer::toRaft).toList())
                        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                        .build());
                LOG.info("server {} removed from the cluster", idOrAddress);
                return true;
            } catch (IOException e) {
                // our view of the configuration was behind the leader's: look again
                if (attempt >= 10) {
                    throw e;
                }
                sleep(300);
            }
        }
    }

    /**
     * This server leaves: the others drop it from the configuration, then its copy of the group
     * is deleted, so a restart with the same data dir starts afresh instead of disturbing them.
     */
    public void leave() throws IOException {
        if (!formed()) {
            return;
        }
        if (peers().size() > 1) {
            removeServer(self.id());
        }
        server.groupManagement(GroupManagementRequest.newRemove(localClientId, selfId,
                localCallId.incrementAndGet(), groupId, true, false));
    }

    private void startGroupOn(Peer peer, RaftGroup group) throws IOException {
        try (RaftClient remote = RaftClient.newBuilder()
                .setProperties(props)
                .setRaftGroup(RaftGroup.valueOf(groupId, peer.toRaft()))
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(5,
                        TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build()) {
            remote.getGroupManagementApi(peer.toRaft().getId()).add(group, true);
        } catch (AlreadyExistsException e) {
            LOG.debug("server {} already runs the group", peer.id());
        }
    }

    /** One configuration change at a time per cluster: a change refused as in progress is retried. */
    private void changeConfiguration(SetConfigurationRequest.Arguments arguments) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                RaftClientReply reply = client().admin().setConfiguration(arguments);
                if (reply.isSuccess()) {
                    return;
                }
                throw reply.getException() != null ? reply.getException()
                        : new IOException("configuration change refused");
            } catch (ReconfigurationInProgressException e) {
                if (attempt >= 20) {
                    throw e;
                }
                sleep(250);
            }
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    @Override
    public void close() throws IOException {
        Discovery d = discovery;
        if (d != null) {
            d.close();
        }
        readyPoller.shutdownNow();
        readLauncher.shutdownNow();
        membershipCalls.shutdownNow();
        writes.close();
        if (client != null) {
            client.close();
        }
        rpc.close();
        server.close();
    }
}

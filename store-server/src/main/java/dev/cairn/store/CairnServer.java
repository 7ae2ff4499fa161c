package dev.cairn.store;

import dev.cairn.store.agent.AgentHandler;
import dev.cairn.store.agent.SelfNode;
import dev.cairn.store.agent.ServerHealth;
import dev.cairn.store.catalog.CatalogHandler;
import dev.cairn.store.catalog.HealthHandler;
import dev.cairn.store.health.CheckScheduler;
import dev.cairn.store.http.ApiContext;
import dev.cairn.store.http.ApiServer;
import dev.cairn.store.http.WatchHub;
import dev.cairn.store.kv.KvHandler;
import dev.cairn.store.kv.TxnHandler;
import dev.cairn.store.operator.OperatorHandler;
import dev.cairn.store.raft.RaftNode;
import dev.cairn.store.session.SessionHandler;
import dev.cairn.store.snapshot.SnapshotHandler;
import dev.cairn.store.session.SessionTimers;
import dev.cairn.store.state.Command;
import dev.cairn.store.state.StoreState;
import dev.cairn.store.status.StatusHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** One Cairn server: state, its Raft member and the HTTP API, started and stopped together. */
public final class CairnServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CairnServer.class);

    private final ServerConfig config;
    private final StoreState state = new StoreState();
    private final WatchHub hub = new WatchHub();
    private RaftNode raft;
    private SessionTimers sessionTimers;
    private CheckScheduler checks;
    private ApiServer api;
    private Path tempDir;
    private ServerHealth serverHealth;
    private volatile boolean closed;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cairn-retry");
        t.setDaemon(true);
        return t;
    });

    public static final String VERSION = versionOf();

    private static String versionOf() {
        String v = CairnServer.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-dev";
    }

    private CairnServer(ServerConfig config) {
        this.config = config;
    }

    public static CairnServer start(ServerConfig config) throws IOException {
        config.validate();
        CairnServer server = new CairnServer(config);
        try {
            server.doStart();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void doStart() throws IOException {
        Path dataDir = config.dataDir;
        if (config.dev && dataDir == null) {
            tempDir = Files.createTempDirectory("cairn-dev-");
            dataDir = tempDir;
        }
        Files.createDirectories(dataDir);
        String node = config.nodeName != null ? config.nodeName : defaultNodeName();
        checkNodeIdentity(dataDir, node);
        int raftPort = config.raftPort == -1 ? freePort(config.bind) : config.raftPort;
        RaftNode.Peer self = new RaftNode.Peer(node, config.bind + ":" + raftPort);
        state.listener(hub);
        raft = RaftNode.start(state, dataDir.resolve("raft"), config.datacenter, self,
                new RaftNode.Log(config.snapshotThreshold, config.logSegmentBytes));
        boolean lone = !config.clustered() && (!raft.formed() || raft.peers().size() == 1);
        if (!raft.formed()) {
            if (config.clustered()) {
                raft.discover(config.bootstrapExpect, config.join);
            } else {
                raft.bootstrapAlone();
            }
        }
        sessionTimers = SessionTimers.start(state.sessions(), raft);
        raft.renewHandler(id -> sessionTimers.renew(id) != null);
        ApiContext ctx = new ApiContext(state, raft, hub, config.datacenter, node, nodeId(dataDir), config.bind,
                config.maxValueBytes);
        checks = new CheckScheduler(ctx, config.checkReapInterval, config.minDeregisterCriticalAfter);
        serverHealth = new ServerHealth(ctx, raft::followerSilenceMillis);
        CompletableFuture<Void> registered = registerSelf(ctx);
        if (lone) {
            // A lone server serves nothing until it is in its own catalog: a client's first write then
            // never shares index 1 with a 404's X-Consul-Index (which would leave a blocking query on
            // that missing key asleep), and "ready" means writes are accepted at once. A cluster
            // member cannot wait: it must answer its peers and clients before there is a leader.
            awaitRegistration(registered, node);
        }
        if (config.httpPort != -1) {
            api = new ApiServer()
                    .add(new KvHandler(ctx).route())
                    .add(new TxnHandler(ctx).route())
                    .addAll(new StatusHandler(ctx).routes())
                    .addAll(new CatalogHandler(ctx).routes())
                    .addAll(new HealthHandler(ctx).routes())
                    .addAll(new SnapshotHandler(ctx, dataDir.resolve("tmp")).routes())
                    .addAll(new AgentHandler(ctx, checks, VERSION, config.enableScriptChecks).routes())
                    .addAll(new SessionHandler(ctx, sessionTimers, config.minSessionTtl).routes())
                    .addAll(new OperatorHandler(ctx, raft, this::leaveAndStop).routes());
            api.start(config.clientAddr, config.httpPort);
        }
        checks.start();
        serverHealth.start();
        LOG.info("server {} started: datacenter {}, raft {}, data {}", node, config.datacenter, self.address(),
                config.dev && config.dataDir == null ? "in memory (-dev)" : dataDir);
    }

    private static void awaitRegistration(CompletableFuture<Void> registered, String node) throws IOException {
        try {
            registered.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("node " + node + " could not register itself in the catalog: no Raft leader", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        }
    }

    /**
     * {@code cairn leave}: this server drops out of the cluster's configuration and deletes its copy
     * of the group, then stops; whoever waits in {@link #awaitStop()} (the server command) exits.
     */
    private void leaveAndStop() throws IOException {
        raft.leave();
        LOG.info("left the cluster; stopping");
        new Thread(this::close, "cairn-leave").start();
    }

    /** Blocks until the server is closed (by a shutdown hook, or by itself after {@code cairn leave}). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Puts this server into the catalog with a passing serfHealth check, retrying until a leader
     * accepts it (at start-up there may be none yet).
     */
    private CompletableFuture<Void> registerSelf(ApiContext ctx) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        raft.submit(new Command.Catalog(SelfNode.registration(ctx))).whenComplete((r, error) -> {
            if (error == null) {
                done.complete(null);
            } else if (!closed) {
                LOG.info("registering node {} in the catalog failed ({}); retrying", ctx.nodeName(), error.getMessage());
                retries.schedule(() -> registerSelf(ctx).thenRun(() -> done.complete(null)), 1, TimeUnit.SECONDS);
            }
        });
        return done;
    }

    /** A stable node ID, kept in the data dir like Consul's node-id file. */
    private static String nodeId(Path dataDir) throws IOException {
        Path file = dataDir.resolve("node-id");
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        String id = UUID.randomUUID().toString();
        Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
        return id;
    }

    /** A data dir belongs to one node: Raft knows its members by name. */
    private static void checkNodeIdentity(Path dataDir, String node) throws IOException {
        Path idFile = dataDir.resolve("node-name");
        if (Files.exists(idFile)) {
            String owner = Files.readString(idFile, StandardCharsets.UTF_8).trim();
            if (!owner.equals(node)) {
                throw new IllegalArgumentException("data dir " + dataDir + " belongs to node \"" + owner
                        + "\"; start it with -node " + owner + " or use another -data-dir");
            }
        } else {
            Files.writeString(idFile, node + "\n", StandardCharsets.UTF_8);
        }
    }

    private static String defaultNodeName() {
        try {
            String host = InetAddress.getLocalHost().getHostName();
            int dot = host.indexOf('.');
            return dot > 0 ? host.substring(0, dot) : host;
        } catch (IOException e) {
            return "cairn";
        }
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    /** The HTTP port actually bound (useful with -http-port 0); -1 when HTTP is disabled. */
    public int httpPort() {
        return api == null ? -1 : api.port();
    }

    public StoreState state() {
        return state;
    }

    /**
     * Blocking queries parked now (also served as {@code consul.rpc.queries_blocking} by
     * {@code /v1/agent/metrics}): e.g. templates sharing one query cost one parked request.
     */
    public int parkedQueries() {
        return hub.parkedQueries();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        retries.shutdownNow();
        if (checks != null) {
            checks.close();
        }
        if (serverHealth != null) {
            serverHealth.close();
        }
        if (sessionTimers != null) {
            sessionTimers.close();
        }
        if (api != null) {
            api.close();
        }
        if (raft != null) {
            try {
                raft.close();
            } catch (IOException e) {
                LOG.warn("raft did not stop cleanly: {}", e.toString());
            }
        }
        if (tempDir != null) {
            deleteTree(tempDir);
        }
        stopped.countDown();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

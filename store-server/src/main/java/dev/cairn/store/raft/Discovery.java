package dev.cairn.store.raft;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How a new server finds its cluster, like Consul's {@code -bootstrap-expect} and {@code -join}:
 * every half second it says hello to every address it knows ({@code -join} ones and those learned
 * from answers), so servers started in any order learn of each other. Then:
 * <ul>
 *   <li>if one of them already belongs to a cluster, it joins it (or, if the cluster's
 *       configuration already lists it, just starts the group with that configuration);</li>
 *   <li>else, once {@code expect} servers know of each other, each starts the group with the
 *       same set of servers, and Raft elects a leader among them.</li>
 * </ul>
 * A server started with {@code -join} but no {@code -bootstrap-expect} only ever joins.
 */
final class Discovery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Discovery.class);
    private static final Duration ROUND = Duration.ofMillis(500);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    private final RaftNode node;
    private final ClusterRpc rpc;
    private final RaftNode.Peer self;
    private final int expect;
    private final List<String> joinAddresses;
    private final Map<String, RaftNode.Peer> known = new ConcurrentHashMap<>();
    private final Set<String> unreachableLogged = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cairn-discovery");
        t.setDaemon(true);
        return t;
    });

    private Discovery(RaftNode node, ClusterRpc rpc, RaftNode.Peer self, int expect, List<String> joinAddresses) {
        this.node = node;
        this.rpc = rpc;
        this.self = self;
        this.expect = expect;
        this.joinAddresses = List.copyOf(joinAddresses);
        known.put(self.id(), self);
    }

    static Discovery start(RaftNode node, ClusterRpc rpc, RaftNode.Peer self, int expect, List<String> join) {
        Discovery d = new Discovery(node, rpc, self, expect, join);
        d.timer.scheduleWithFixedDelay(d::roundSafely, 0, ROUND.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("looking for the cluster: {}, asking {}", d.waitingFor(), join.isEmpty() ? "nobody yet" : join);
        return d;
    }

    /** Another server said hello: it counts towards {@code expect}. */
    void met(RaftNode.Peer peer) {
        if (!peer.id().equals(self.id()) && known.put(peer.id(), peer) == null) {
            if (expect > 1) {
                LOG.info("met server {} at {} ({} of {} expected)", peer.id(), peer.address(), known.size(), expect);
            } else {
                LOG.info("met server {} at {}", peer.id(), peer.address());
            }
        }
    }

    List<RaftNode.Peer> known() {
        return known.values().stream().sorted(Comparator.comparing(RaftNode.Peer::id)).toList();
    }

    /** Why this server serves no reads or writes yet, for error messages. */
    String waitingFor() {
        return expect > 1
                ? "waiting for " + expect + " servers to bootstrap the cluster (-bootstrap-expect "
                  + expect + "), " + known.size() + " known so far"
                : "this server has not joined the cluster yet (-join " + joinAddresses + ")";
    }

    private void roundSafely() {
        try {
            round();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cluster discovery: {}", e.getMessage());
        }
    }

    private void round() throws IOException {
        if (node.formed()) {
            LOG.info("this server is a member of the cluster now");
            timer.shutdown();
            return;
        }
        Set<String> addresses = new LinkedHashSet<>(joinAddresses);
        known.values().forEach(p -> addresses.add(p.address()));
        addresses.remove(self.address());
        for (String address : addresses) {
            ClusterRpc.HelloReply reply;
            try {
                reply = rpc.call(address, ClusterRpc.HELLO, new ClusterRpc.Hello(self, expect),
                        ClusterRpc.HelloReply.class, CALL_TIMEOUT);
                unreachableLogged.remove(address);
            } catch (IOException e) {
                if (unreachableLogged.add(address)) {
                    LOG.info("server {} does not answer yet ({}); will keep trying", address, e.getMessage());
                }
                continue;
            }
            met(reply.self());
            reply.known().forEach(this::met);
            if (reply.members() != null) {
                joinExisting(address, reply.members());
                return;
            }
        }
        if (expect > 1 && known.size() >= expect) {
            List<RaftNode.Peer> members = new ArrayList<>(known());
            LOG.info("{} servers have met: bootstrapping the cluster with {}", members.size(), members);
            node.form(members);
        }
    }

    /**
     * {@code address} belongs to a running cluster: a server its configuration already lists
     * (one that formed it while we were still counting) starts the group as listed; any other asks
     * to be added, and the cluster starts the group on it.
     */
    private void joinExisting(String address, List<RaftNode.Peer> members) throws IOException {
        if (members.stream().anyMatch(p -> p.id().equals(self.id()))) {
            node.form(members);
            return;
        }
        LOG.info("joining the cluster through {}", address);
        rpc.call(address, ClusterRpc.JOIN, new ClusterRpc.Join(self), Object.class, Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

package dev.cairn.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.it.CairnProcess;
import dev.cairn.it.Http;
import org.awaitility.core.ConditionTimeoutException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * A cluster of real {@code cairn server} processes on loopback: n servers started with
 * {@code -bootstrap-expect n} and a {@code -join} for every other server's Raft address, in a given
 * order, each with its own data dir under the cluster's directory ({@code <dir>/<node>}).
 *
 * <p>Servers are {@link CairnProcess}es, so {@code CairnProcessExtension} cleans them up and prints
 * their logs when a test fails. Ports are picked free before any server starts (every server must
 * know the others'); if one was taken meanwhile, the whole cluster is started again on new ports.
 *
 * <p>Relies on: {@code -node}, {@code -bind}, {@code -raft-port}, {@code -http-port},
 * {@code -bootstrap-expect}, {@code -join}; {@code GET /v1/status/leader} (a Raft address, "" when
 * none) and {@code GET /v1/status/peers}.
 */
final class ClusterProcesses implements AutoCloseable {

    static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final List<String> extraArgs;
    private final List<CairnProcess> servers = Collections.synchronizedList(new ArrayList<>());

    private ClusterProcesses(Path dir, List<String> extraArgs) {
        this.dir = dir;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts n servers n1..nn in a random order (seed printed) and waits until they agree on a leader. */
    static ClusterProcesses start(Path dir, int n, String... extraArgs) {
        long seed = System.nanoTime();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        return start(dir, n, order, first -> { }, extraArgs);
    }

    /**
     * Starts n servers, server {@code order.get(0)} (0-based) first, and the others right after
     * {@code afterFirst} returns (say, after checking that the first one does not elect itself).
     */
    static ClusterProcesses start(Path dir, int n, List<Integer> order,
                                  java.util.function.Consumer<CairnProcess> afterFirst, String... extraArgs) {
        for (int attempt = 1; ; attempt++) {
            ClusterProcesses cluster = new ClusterProcesses(dir.resolve("attempt-" + attempt), List.of(extraArgs));
            List<int[]> ports = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ports.add(new int[] {CairnProcess.freePort(), CairnProcess.freePort()});
            }
            for (int i = 0; i < n; i++) {
                List<String> args = new ArrayList<>(List.of("-bootstrap-expect", Integer.toString(n)));
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        args.add("-join");
                        args.add("127.0.0.1:" + ports.get(j)[1]);
                    }
                }
                args.addAll(cluster.extraArgs);
                cluster.servers.add(CairnProcess.create(cluster.dir.resolve("n" + (i + 1)), "n" + (i + 1),
                        ports.get(i)[0], ports.get(i)[1], args));
            }
            System.out.printf("starting %d servers in order %s (attempt %d) under %s%n", n,
                    order.stream().map(i -> "n" + (i + 1)).toList(), attempt, cluster.dir);
            try {
                for (int k = 0; k < order.size(); k++) {
                    cluster.servers.get(order.get(k)).startNoWait();
                    if (k == 0) {
                        afterFirst.accept(cluster.servers.get(order.get(0)));
                    }
                }
                cluster.awaitAllReady(cluster.servers());
                cluster.leader();
                return cluster;
            } catch (RuntimeException | AssertionError e) {
                boolean portTaken = cluster.servers().stream()
                        .anyMatch(s -> s.logTail(60).contains("Address already in use"));
                cluster.close();
                if (!portTaken || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /** Waits (concurrently) until each server knows a leader. */
    void awaitAllReady(List<CairnProcess> which) {
        inParallel(which, CairnProcess::awaitReady);
    }

    /** Runs {@code action} on every server at once, on its own thread; rethrows the first failure. */
    static void inParallel(List<CairnProcess> which, java.util.function.Consumer<CairnProcess> action) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, which.size()));
        try {
            List<Future<?>> done = new ArrayList<>();
            for (CairnProcess s : which) {
                done.add(pool.submit(() -> action.accept(s)));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("servers " + which + ": " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    List<CairnProcess> servers() {
        synchronized (servers) {
            return List.copyOf(servers);
        }
    }

    List<CairnProcess> running() {
        return servers().stream().filter(CairnProcess::isAlive).toList();
    }

    CairnProcess server(String node) {
        return servers().stream().filter(s -> s.node().equals(node)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no server " + node + " in " + servers()));
    }

    Path dir() {
        return dir;
    }

    /**
     * The leader every running server agrees on, waiting up to {@link #LEADER_TIMEOUT} for them
     * to agree (say after a failover).
     */
    CairnProcess leader() {
        return leader(LEADER_TIMEOUT);
    }

    CairnProcess leader(Duration timeout) {
        return leaderAmong(running(), timeout);
    }

    /**
     * The leader the given servers agree on (say, the members, when a server that is not one is
     * running too), waiting up to {@code timeout}. On timeout, says what each server last answered.
     */
    static CairnProcess leaderAmong(List<CairnProcess> which, Duration timeout) {
        Map<String, String> views = new ConcurrentHashMap<>();
        try {
            return await().atMost(timeout)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> agreedLeader(which, views), l -> l != null);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("servers " + which.stream().map(CairnProcess::node).toList()
                    + " did not agree on a leader among them within " + timeout + "; last GET /v1/status/leader answers: "
                    + new TreeMap<>(views) + "; raft addresses: "
                    + which.stream().map(s -> s.node() + "=" + s.raftAddress()).toList(), e);
        }
    }

    static CairnProcess leaderAmong(List<CairnProcess> which) {
        return leaderAmong(which, LEADER_TIMEOUT);
    }

    /** The leader all {@code which} name right now, or null if they disagree or it is not one of them. */
    private static CairnProcess agreedLeader(List<CairnProcess> which, Map<String, String> views) {
        String agreed = null;
        boolean agree = true;
        for (CairnProcess s : which) {
            String l;
            try {
                l = leaderSeenBy(s);
                views.put(s.node(), "\"" + l + "\"");
            } catch (RuntimeException | AssertionError e) {
                views.put(s.node(), e.toString());
                agree = false;
                continue;
            }
            if (l.isEmpty() || (agreed != null && !agreed.equals(l))) {
                agree = false;
            }
            agreed = l;
        }
        String address = agreed;
        return !agree ? null
                : which.stream().filter(s -> s.isAlive() && s.raftAddress().equals(address)).findFirst().orElse(null);
    }

    List<CairnProcess> followers() {
        CairnProcess leader = leader();
        return running().stream().filter(s -> s != leader).toList();
    }

    /** {@code GET /v1/status/leader} on one server: its Raft address, "" when it knows none. */
    static String leaderSeenBy(CairnProcess server) {
        Http.Response r = quickGet(server, "/v1/status/leader");
        if (r.status() != 200) {
            throw new AssertionError("GET /v1/status/leader on " + server.node() + ": " + r);
        }
        return r.json().asText();
    }

    /** {@code GET /v1/status/peers} on one server, sorted. */
    static List<String> peersSeenBy(CairnProcess server) {
        Http.Response r = quickGet(server, "/v1/status/peers");
        if (r.status() != 200) {
            throw new AssertionError("GET /v1/status/peers on " + server.node() + ": " + r);
        }
        TreeSet<String> peers = new TreeSet<>();
        for (JsonNode p : r.json()) {
            peers.add(p.asText());
        }
        return List.copyOf(peers);
    }

    /** A GET that must be answered within 5 s (status endpoints answer from local state). */
    static Http.Response quickGet(CairnProcess server, String path) {
        try {
            return server.http().getAsync(path, Duration.ofSeconds(5)).get(6, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("GET " + path + " on " + server.node() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("GET " + path + " on " + server.node() + ": " + e, e);
        }
    }

    /** The sorted Raft addresses of the given servers, as peers listings show them. */
    static List<String> addresses(List<CairnProcess> which) {
        return which.stream().map(CairnProcess::raftAddress).sorted().toList();
    }

    /**
     * Starts one more server {@code node} on new ports, with {@code args} (say {@code -join ...} or
     * {@code -bootstrap-expect 3}) and the cluster's extra args; does not wait for it.
     */
    CairnProcess startAnother(String node, List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.addAll(extraArgs);
        CairnProcess s = CairnProcess.create(dir.resolve(node), node, CairnProcess.freePort(), CairnProcess.freePort(), all);
        servers.add(s);
        s.startNoWait();
        return s;
    }

    /** {@code -join <addr>} for every running server. */
    List<String> joinArgs() {
        List<String> args = new ArrayList<>();
        for (CairnProcess s : running()) {
            args.add("-join");
            args.add(s.raftAddress());
        }
        return args;
    }

    /** SIGKILL the current leader; returns it (restart it with {@link CairnProcess#restartNoWait()}). */
    CairnProcess killLeader() {
        CairnProcess leader = leader();
        leader.kill9();
        return leader;
    }

    @Override
    public void close() {
        inParallel(servers(), CairnProcess::close);
    }

    @Override
    public String toString() {
        return "cluster " + servers().stream().map(CairnProcess::toString).toList();
    }
}

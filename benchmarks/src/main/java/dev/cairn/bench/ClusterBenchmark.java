package dev.cairn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Issue 6's benchmark: a 3-server Cairn cluster beside a 3-member etcd 3.4 cluster, all on
 * loopback, in one run. See BENCHMARKS.md, "Cluster (3 servers)".
 *
 * <ol>
 *   <li>Both clusters start at once (every server durable, its own data dir) and stay up.</li>
 *   <li>Throughput, as in KvBenchmark (same kv.lua, key space, value size and wrk), but the 64
 *       connections are spread over the three servers: three wrk processes run at once, one per
 *       server (22/21/21 connections, one thread each), and their figures are summed. Writes to
 *       a follower are forwarded to the leader; reads are each server's default (linearizable).
 *       JIT warm-up, then rounds alternating which cluster goes first. Then a leader-only
 *       variant: one wrk, all 64 connections to the leader.</li>
 *   <li>Failover, Cairn then etcd: a writer sends a PUT every few milliseconds (open loop,
 *       alternating between the two servers that will survive), the leader gets SIGKILL, and the
 *       failover time is from the kill to the first acknowledged write among those sent after
 *       the leader was dead. Open loop, because a write that went to the dead leader may hang for
 *       seconds (etcd's did, 5 s) while later writes already succeed. The killed server is then
 *       restarted (same data dir and ports) and the next round waits until it serves again.</li>
 * </ol>
 *
 * Every loop is bounded in count and time; every process is stopped by {@link Bench} (finally
 * block, shutdown hook, run.sh's trap on {@code --pid-file}).
 */
public final class ClusterBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);
    /** Seconds of load between two looks at the JIT compiler threads during the warm-up. */
    private static final int WARM_UP_CHUNK = 5;
    /** At most this many PUT/GET turns after the warm-up (see {@link #alternate}). */
    private static final int MAX_TURNS = 8;

    /** One server of a cluster; after a kill -9 and a restart, {@code process} is the new one. */
    private static final class Member {
        final String name;
        final int httpPort;
        final int peerPort;
        final List<String> command;
        volatile ServerProcess process;
        int starts = 1;
        /** etcd's member ID (its status names the leader by it); fixed by the data dir. */
        String etcdId;

        Member(String name, int httpPort, int peerPort, List<String> command) {
            this.name = name;
            this.httpPort = httpPort;
            this.peerPort = peerPort;
            this.command = command;
        }

        String url() {
            return "http://127.0.0.1:" + httpPort;
        }
    }

    /** Three Cairn servers or three etcd members. */
    private record Cluster(String name, boolean etcd, List<Member> members) {
    }

    /** One measured run of one cluster: one wrk result per server it loaded, roles as at the start. */
    private record Run(String cluster, String op, int round, boolean leaderOnly, List<String> servers,
                       List<Wrk.Result> wrk, double cpuMicros, double jitShare) {
        double perSecond() {
            return wrk.stream().mapToDouble(Wrk.Result::perSecond).sum();
        }

        long requests() {
            return wrk.stream().mapToLong(Wrk.Result::requests).sum();
        }

        long errors() {
            return wrk.stream().mapToLong(Wrk.Result::errors).sum();
        }
    }

    /** One failover round. Times in ms; NaN when no write was acknowledged in time. */
    private record Failover(double killToAckMs, int sent, int failed, int ackedBeforeKill, double restartToBackMs) {
    }

    private final Bench b;
    private final int seconds;
    private final int warmup;
    private final int jitWarmup;
    private final int etcdWarmup;
    private final int rounds;
    private final int leaderSeconds;
    private final int keys;
    private final int valueBytes;
    private final int connections;
    private final int failovers;
    private final int etcdFailovers;
    private final int writePeriodMs;
    private final String etcdPath;
    private final List<Wrk> wrks = new ArrayList<>();
    /** How long each cluster was warmed up, for the report. */
    private final List<String> warmedUp = new ArrayList<>();

    private ClusterBenchmark(Bench b) {
        this.b = b;
        seconds = b.intOpt("seconds", 6);
        warmup = b.intOpt("warmup", 1);
        jitWarmup = b.intOpt("jit-warmup", 180);
        etcdWarmup = b.intOpt("etcd-warmup", 10);
        rounds = b.intOpt("rounds", 2);
        leaderSeconds = b.intOpt("leader-seconds", 4);
        keys = b.intOpt("keys", 10_000);
        valueBytes = b.intOpt("value-bytes", 100);
        connections = b.intOpt("connections", 64);
        failovers = b.intOpt("failovers", 10);
        etcdFailovers = b.intOpt("etcd-failovers", 10);
        writePeriodMs = b.intOpt("write-period-ms", 10);
        etcdPath = b.opt.getOrDefault("etcd", "/usr/bin/etcd");
    }

    public static void main(String[] args) throws Exception {
        try (Bench b = new Bench(args, "ClusterBenchmark --jar cairn.jar [--etcd PATH|none] [--wrk PATH] [--out FILE]"
                + " [--pid-file FILE] [--seconds 6] [--warmup 1] [--jit-warmup 180] [--etcd-warmup 10] [--rounds 2] [--leader-seconds 4]"
                + " [--connections 64] [--keys 10000] [--value-bytes 100] [--failovers 10] [--etcd-failovers 10]"
                + " [--write-period-ms 10] [--logs DIR] [--source GIT-DESCRIBE]")) {
            ClusterBenchmark cb = new ClusterBenchmark(b);
            // the shutdown hook of Bench stops the servers; this one the wrk runs
            Thread hook = new Thread(() -> cb.wrks.forEach(Wrk::stop), "stop-wrk");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                cb.run();
            } catch (Exception | Error e) {
                cb.keepLogs();
                throw e;
            } finally {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        }
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        boolean withEtcd = !etcdPath.equals("none");
        Path script = b.work.resolve("kv.lua");
        try (InputStream in = ClusterBenchmark.class.getResourceAsStream("kv.lua")) {
            Files.copy(in, script);
        }
        String wrkPath = b.opt.getOrDefault("wrk", "wrk");
        // spread: one wrk per server, one thread each (3 threads in all, on 2 cores; KvBenchmark's one wrk has 2)
        List<Wrk> spread = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            spread.add(new Wrk(wrkPath, script, 1, connections / 3 + (i < connections % 3 ? 1 : 0)));
        }
        Wrk leaderWrk = new Wrk(wrkPath, script, b.intOpt("wrk-threads", 2), connections);
        wrks.addAll(spread);
        wrks.add(leaderWrk);

        List<Cluster> clusters = new ArrayList<>();
        clusters.add(cairnCluster());
        if (withEtcd) {
            clusters.add(etcdCluster());
        }
        for (Cluster c : clusters) {
            for (Member m : c.members()) {
                m.process = b.start(m.name, m.command);
            }
        }
        for (Cluster c : clusters) {
            awaitServing(c, Duration.ofSeconds(120));
            Member leader = awaitLeader(c, Duration.ofSeconds(30));
            Bench.log(String.format(Locale.ROOT, "%s: 3 servers up (pids %s), leader %s", c.name(),
                    c.members().stream().map(m -> Long.toString(m.process.pid())).collect(Collectors.joining(", ")),
                    leader.name));
        }

        // throughput: the key space written once (through the leader), then a warm-up spread like the load
        for (Cluster c : clusters) {
            long t = System.nanoTime();
            Preload.run(awaitLeader(c, Duration.ofSeconds(30)).httpPort, Preload.kvPuts(c.etcd(), keys, valueBytes), 64, 120);
            Bench.log(String.format(Locale.ROOT, "%s: %d keys written in %.1f s", c.name(), keys, (System.nanoTime() - t) / 1e9));
            String first = warmUp(c, "put", spread) + " PUT + " + warmUp(c, "get", spread) + " GET";
            warmedUp.add(c.name() + " " + first + (c.etcd() ? "" : ", then " + alternate(c, spread)));
        }
        List<Run> runs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<Cluster> order = new ArrayList<>(clusters);
            if (round % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            for (String op : List.of("put", "get")) {
                for (Cluster c : order) {
                    runs.add(measure(c, op, round, seconds, spread, c.members()));
                }
            }
        }
        if (leaderSeconds > 0) {
            for (String op : List.of("put", "get")) {
                for (Cluster c : clusters) {
                    runs.add(measure(c, op, 1, leaderSeconds, List.of(leaderWrk), List.of(awaitLeader(c, Duration.ofSeconds(30)))));
                }
            }
        }

        // failover, one cluster at a time; each is stopped after its rounds (etcd idles during Cairn's)
        List<List<Failover>> failoverResults = new ArrayList<>();
        for (Cluster c : clusters) {
            int n = c.etcd() ? etcdFailovers : failovers;
            List<Failover> fs = new ArrayList<>();
            for (int round = 1; round <= n; round++) {
                fs.add(failover(c, round));
            }
            failoverResults.add(fs);
            b.stop(c.members().stream().map(m -> m.process).toList());
        }
        b.stopAll();
        report(clusters, runs, failoverResults, (System.nanoTime() - start) / 1e9);
    }

    /** The servers' logs outlive the temp dir when something failed (run.sh runs from the repository root). */
    private void keepLogs() {
        Path dest = Path.of(b.opt.getOrDefault("logs", "benchmarks/target/cluster-logs"));
        try (var logs = Files.list(b.work)) {
            Files.createDirectories(dest);
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                Files.copy(log, dest.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Bench.log("server logs copied to " + dest.toAbsolutePath());
        } catch (IOException e) {
            Bench.log("could not copy the server logs to " + dest + ": " + e.getMessage());
        }
    }

    private Cluster cairnCluster() throws IOException {
        int[] raft = {Bench.freePort(), Bench.freePort(), Bench.freePort()};
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // not n1..n3: twice a cairn-n3 of this benchmark got SIGKILL from outside while other sessions'
            // cluster tests ran; a distinct node name keeps command-line matches elsewhere off these processes
            String node = "bench" + (i + 1);
            int http = Bench.freePort();
            List<String> cmd = new ArrayList<>(List.of(Bench.java(), "-jar", b.jar().toString(), "server",
                    "-data-dir", b.work.resolve("cairn-" + node).toString(), "-node", node, "-bind", "127.0.0.1",
                    "-raft-port", Integer.toString(raft[i]), "-http-port", Integer.toString(http), "-dns-port", "-1",
                    "-bootstrap-expect", "3"));
            for (int j = 0; j < 3; j++) {
                if (j != i) {
                    cmd.addAll(List.of("-join", "127.0.0.1:" + raft[j]));
                }
            }
            members.add(new Member("cairn-" + (i + 1), http, raft[i], List.copyOf(cmd)));
        }
        return new Cluster("cairn", false, members);
    }

    private Cluster etcdCluster() throws IOException {
        int[] client = {Bench.freePort(), Bench.freePort(), Bench.freePort()};
        int[] peer = {Bench.freePort(), Bench.freePort(), Bench.freePort()};
        String initial = "e1=http://127.0.0.1:" + peer[0] + ",e2=http://127.0.0.1:" + peer[1] + ",e3=http://127.0.0.1:" + peer[2];
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "e" + (i + 1);
            members.add(new Member("etcd-" + name, client[i], peer[i], Bench.etcdCommand(etcdPath, name,
                    b.work.resolve("etcd-" + name), "http://127.0.0.1:" + client[i], "http://127.0.0.1:" + peer[i], initial)));
        }
        return new Cluster("etcd", true, members);
    }

    private String[] wrkArgs(Cluster c, String op) {
        return new String[] {c.etcd() ? "etcd" : "cairn", op, Integer.toString(keys), Integer.toString(valueBytes)};
    }

    /**
     * Spread load of {@code op} until the servers are warm; returns how long that took, e.g. "35 s".
     * Cairn's JVMs keep compiling for 30-60 s of load on a quiet host (BENCHMARKS.md, "JIT") and for
     * about two minutes of spread PUT with three JVMs sharing two cores (their C2 threads still took
     * a third of the servers' CPU after 60 s, and stopped at 110-130 s): so Cairn gets 5 s runs until its JIT
     * compiler threads used under 10% of its servers' CPU in the last one (at least 10 s, at most
     * --jit-warmup, GETs a third of that). etcd is compiled ahead of time: a fixed --etcd-warmup s of
     * PUT (a third of it of GET); a shorter warm-up can only help it (its database keeps every revision).
     */
    private String warmUp(Cluster c, String op, List<Wrk> spread) throws Exception {
        int max = Math.max(1, c.etcd() ? etcdWarmup : jitWarmup);
        if (op.equals("get")) {
            max = Math.max(1, max / 3);
        }
        if (c.etcd()) {
            Wrk.runTogether(spread, urls(c.members()), max, wrkArgs(c, op));
            return max + " s";
        }
        int done = 0;
        double share = Double.NaN;
        while (done < max) {
            int run = Math.min(WARM_UP_CHUNK, max - done);
            done += run;
            share = warmUpChunk(c, op, spread, run, done + " s");
            if (done >= 10 && share < 0.10) {
                break;
            }
        }
        return String.format(Locale.ROOT, "%d s (JIT %.0f%% of CPU at the end)", done, share * 100);
    }

    /**
     * PUT and GET in turns, {@link #WARM_UP_CHUNK} s each, until going from GETs back to PUTs no
     * longer wakes Cairn's compilers (under 5% of the servers' CPU in the PUT turn; at least 2 turns,
     * at most {@link #MAX_TURNS}). The measured rounds switch between PUT and GET too, and each
     * switch made the JVMs compile the code of the other op again: by hand, the PUT turns after a GET
     * turn had the JIT at 12, 9, 9, 4, 3, 5% and cost 120, 123, 121, 117, 104, 101 us per PUT
     * (BENCHMARKS.md, "Round 1"). A real workload mixes reads and writes all the time.
     */
    private String alternate(Cluster c, List<Wrk> spread) throws Exception {
        int turns = 0;
        double putShare;
        do {
            turns++;
            putShare = warmUpChunk(c, "put", spread, WARM_UP_CHUNK, "turn " + turns);
            warmUpChunk(c, "get", spread, WARM_UP_CHUNK, "turn " + turns);
        } while (turns < MAX_TURNS && (turns < 2 || putShare >= 0.05));
        return String.format(Locale.ROOT, "%d turns of %d s PUT + %d s GET (JIT %.0f%% of CPU in the last PUT turn)",
                turns, WARM_UP_CHUNK, WARM_UP_CHUNK, putShare * 100);
    }

    /** One stretch of spread load of {@code op}; returns the JIT compiler threads' share of the servers' CPU in it. */
    private double warmUpChunk(Cluster c, String op, List<Wrk> spread, int seconds, String label) throws Exception {
        long[] before = compilerTicks(c);
        Wrk.Result r = Wrk.runTogether(spread, urls(c.members()), seconds, wrkArgs(c, op)).stream()
                .reduce((x, y) -> x).orElseThrow();
        double share = jitShare(before, compilerTicks(c));
        Bench.log(String.format(Locale.ROOT, "%s warm-up %s: %s, JIT compiler threads %.0f%% of the servers' CPU "
                + "in the last %d s (first server %.0f/s)", c.name(), op.toUpperCase(Locale.ROOT), label, share * 100, seconds,
                r.perSecond()));
        return share;
    }

    /** The compiler threads' share of the CPU between two {@link #compilerTicks} readings. */
    private static double jitShare(long[] before, long[] after) {
        return (double) (after[1] - before[1]) / Math.max(1, after[0] - before[0]);
    }

    private static long[] compilerTicks(Cluster c) {
        long[] sum = new long[2];
        for (Member m : c.members()) {
            long[] t = m.process.cpuTicksWithCompiler();
            sum[0] += t[0];
            sum[1] += t[1];
        }
        return sum;
    }

    private static List<String> urls(List<Member> ms) {
        return ms.stream().map(Member::url).toList();
    }

    /** A warm-up and a measured run of {@code op}, one wrk per target server; CPU of all 3 servers. */
    private Run measure(Cluster c, String op, int round, int measured, List<Wrk> wrk, List<Member> targets) throws Exception {
        Member leader = awaitLeader(c, Duration.ofSeconds(30));
        List<String> servers = targets.stream().map(m -> m.name + (m == leader ? " (leader)" : "")).toList();
        Wrk.runTogether(wrk, urls(targets), warmup, wrkArgs(c, op));
        long cpu = cpuNanos(c);
        long[] ticks = compilerTicks(c);
        List<Wrk.Result> results = Wrk.runTogether(wrk, urls(targets), measured, wrkArgs(c, op));
        long requests = results.stream().mapToLong(Wrk.Result::requests).sum();
        // etcd has no JIT: its "compiler threads" are none, and its share stays NaN
        double jit = c.etcd() ? Double.NaN : jitShare(ticks, compilerTicks(c));
        Run r = new Run(c.name(), op, round, targets.size() == 1, servers, results,
                (cpuNanos(c) - cpu) / 1e3 / Math.max(1, requests), jit);
        Member after = awaitLeader(c, Duration.ofSeconds(30));
        Bench.log(String.format(Locale.ROOT, "%s %s%s round %d: %.0f/s (%s), server CPU %.1f us/request%s, errors %d, "
                + "load average %.1f%s", c.name(), op.toUpperCase(Locale.ROOT), r.leaderOnly() ? " leader only" : "",
                round, r.perSecond(), perServer(r, res -> String.format(Locale.ROOT, "%.0f", res.perSecond())),
                r.cpuMicros(), jitPercent(r, " (JIT %.0f%% of it)"), r.errors(), Bench.loadAverage(),
                after == leader ? "" : "; THE LEADER CHANGED to " + after.name));
        return r;
    }

    /** The JIT compiler threads' share of a run's server CPU in {@code format}; "" for etcd, which has none. */
    private static String jitPercent(Run r, String format) {
        return Double.isNaN(r.jitShare()) ? "" : String.format(Locale.ROOT, format, r.jitShare() * 100);
    }

    /** CPU time of all the cluster's servers so far; fails if one has died (only failover rounds kill). */
    private static long cpuNanos(Cluster c) {
        for (Member m : c.members()) {
            if (!m.process.isAlive()) {
                throw new IllegalStateException(m.name + " died during the throughput runs; see its log");
            }
        }
        return c.members().stream().mapToLong(m -> m.process.cpuNanos()).sum();
    }

    // ---- failover ----

    private Failover failover(Cluster c, int round) throws Exception {
        Member leader = awaitLeader(c, Duration.ofSeconds(30));
        List<Member> survivors = c.members().stream().filter(m -> m != leader).toList();
        AtomicLong firstAck = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger ackedBefore = new AtomicInteger();
        // set before the writes still in flight are cancelled: those are not failures
        AtomicBoolean over = new AtomicBoolean();
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        long period = Duration.ofMillis(writePeriodMs).toNanos();
        long begin = System.nanoTime();
        long killAt = begin + Duration.ofMillis(300).toNanos();
        long deadline = killAt + Duration.ofSeconds(20).toNanos();
        long tKill = 0;
        boolean dead = false;
        int sent = 0;
        try {
            for (long next = begin; System.nanoTime() < deadline && firstAck.get() == Long.MAX_VALUE; next += period) {
                if (!dead && System.nanoTime() >= killAt) {
                    tKill = System.nanoTime();
                    leader.process.kill();
                    dead = true;
                }
                boolean afterKill = dead;
                Member target = survivors.get(sent % survivors.size());
                String key = "bench/failover/" + round + "-" + sent;
                sent++;
                inFlight.add(b.http.sendAsync(write(c, target, key), HttpResponse.BodyHandlers.ofString())
                        .whenComplete((resp, err) -> {
                            long now = System.nanoTime();
                            if (over.get()) {
                                return;
                            }
                            if (err == null && acknowledged(c, resp)) {
                                if (afterKill) {
                                    firstAck.accumulateAndGet(now, Math::min);
                                } else {
                                    ackedBefore.incrementAndGet();
                                }
                            } else {
                                failed.incrementAndGet();
                            }
                        }));
                long wait = next + period - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        } finally {
            over.set(true);
            inFlight.forEach(f -> f.cancel(true));
            if (!dead) {
                leader.process.kill();
            }
        }
        double killToAck = firstAck.get() == Long.MAX_VALUE ? Double.NaN : (firstAck.get() - tKill) / 1e6;

        // the same server again, same data dir and ports
        long restart = System.nanoTime();
        leader.process = b.start(leader.name + "." + (++leader.starts), leader.command);
        awaitBack(c, leader, round, Duration.ofSeconds(90));
        double back = (System.nanoTime() - restart) / 1e6;
        Failover f = new Failover(killToAck, sent, failed.get(), ackedBefore.get(), back);
        Bench.log(String.format(Locale.ROOT, "%s failover %d: killed %s, first acknowledged write after %.0f ms "
                + "(%d writes sent, %d acknowledged before the kill, %d failed); restarted and serving again after %.1f s",
                c.name(), round, leader.name, killToAck, sent, ackedBefore.get(), failed.get(), back / 1000));
        return f;
    }

    /** A PUT of {@code key} through {@code m} (Cairn's KV API or etcd's JSON gateway). */
    private HttpRequest write(Cluster c, Member m, String key) {
        if (!c.etcd()) {
            return HttpRequest.newBuilder(URI.create(m.url() + "/v1/kv/" + key)).timeout(Duration.ofSeconds(15))
                    .PUT(HttpRequest.BodyPublishers.ofString("x")).build();
        }
        return HttpRequest.newBuilder(URI.create(m.url() + "/v3/kv/put")).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64("x") + "\"}"))
                .build();
    }

    private static boolean acknowledged(Cluster c, HttpResponse<String> r) {
        return r.statusCode() == 200 && (c.etcd() ? r.body().contains("\"header\"") : r.body().trim().equals("true"));
    }

    /** Until the restarted server has a leader, takes a write through itself and reads it back (linearizably). */
    private void awaitBack(Cluster c, Member m, int round, Duration timeout) throws Exception {
        String key = "bench/back/" + round;
        m.process.awaitReady(failureIsNotYet(() -> {
            if (!(c.etcd() || m.process.logContains("cairn server ready")) || leaderSeenBy(c, m).isEmpty()) {
                return false;
            }
            if (!acknowledged(c, b.http.send(write(c, m, key), HttpResponse.BodyHandlers.ofString()))) {
                return false;
            }
            HttpResponse<String> r = b.http.send(read(c, m, key), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && (!c.etcd() || r.body().contains("\"kvs\""));
        }), timeout);
    }

    /** A readiness check that talks HTTP. */
    private interface HttpCheck {
        boolean test() throws IOException, InterruptedException;
    }

    /** {@code check} as awaitReady wants it: a request that fails means "not ready yet". */
    private static BooleanSupplier failureIsNotYet(HttpCheck check) {
        return () -> {
            try {
                return check.test();
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
    }

    private HttpRequest read(Cluster c, Member m, String key) {
        if (!c.etcd()) {
            return HttpRequest.newBuilder(URI.create(m.url() + "/v1/kv/" + key)).timeout(CALL_TIMEOUT).build();
        }
        return HttpRequest.newBuilder(URI.create(m.url() + "/v3/kv/range")).timeout(CALL_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + b64(key) + "\"}")).build();
    }

    // ---- cluster state ----

    /** Until every server answers and one write through each is acknowledged. */
    private void awaitServing(Cluster c, Duration timeout) throws Exception {
        for (Member m : c.members()) {
            m.process.awaitReady(failureIsNotYet(() -> (c.etcd() || m.process.logContains("cairn server ready"))
                    && acknowledged(c, b.http.send(write(c, m, "bench/hello/" + m.name), HttpResponse.BodyHandlers.ofString()))),
                    timeout);
        }
    }

    /** The leader, once every running server names the same one. */
    private Member awaitLeader(Cluster c, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Member> agreed = Optional.empty();
            boolean all = true;
            for (Member m : c.members()) {
                if (!m.process.isAlive()) {
                    continue;
                }
                Optional<Member> seen = leaderSeenBy(c, m);
                if (seen.isEmpty() || (agreed.isPresent() && agreed.get() != seen.get())) {
                    all = false;
                    break;
                }
                agreed = seen;
            }
            if (all && agreed.isPresent()) {
                return agreed.get();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(c.name() + ": no leader all servers agree on after " + timeout);
    }

    /** Whom {@code m} names as leader: Cairn by raft address, etcd by member ID. */
    private Optional<Member> leaderSeenBy(Cluster c, Member m) {
        try {
            if (!c.etcd()) {
                HttpResponse<String> r = b.http.send(HttpRequest.newBuilder(URI.create(m.url() + "/v1/status/leader"))
                        .timeout(CALL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
                String address = r.statusCode() == 200 ? JSON.readTree(r.body()).asText() : "";
                return c.members().stream().filter(x -> address.equals("127.0.0.1:" + x.peerPort)).findFirst();
            }
            String leaderId = etcdStatus(m).path("leader").asText("");
            for (Member x : c.members()) {
                if (x.etcdId == null && x.process.isAlive()) {
                    x.etcdId = etcdStatus(x).path("header").path("member_id").asText(null);
                }
            }
            return leaderId.isEmpty() || leaderId.equals("0") ? Optional.empty()
                    : c.members().stream().filter(x -> leaderId.equals(x.etcdId)).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private JsonNode etcdStatus(Member m) throws IOException, InterruptedException {
        HttpResponse<String> r = b.http.send(HttpRequest.newBuilder(URI.create(m.url() + "/v3/maintenance/status"))
                .timeout(CALL_TIMEOUT).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(m.name + " status answered " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    // ---- report ----

    private void report(List<Cluster> clusters, List<Run> runs, List<List<Failover>> failovers, double elapsed)
            throws IOException {
        StringBuilder r = new StringBuilder();
        r.append(String.format(Locale.ROOT, "%n### Cluster (3 servers)%n%n"));
        r.append("- run ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(String.format(Locale.ROOT, ", %.0f s in all%s%n", elapsed,
                        b.opt.containsKey("source") ? "; server built from " + b.opt.get("source") : ""));
        r.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores (nproc), ")
                .append(Bench.cpuModel()).append(", Linux ").append(System.getProperty("os.version"))
                .append(String.format(Locale.ROOT, ", load average %.1f at the end%n", Bench.loadAverage()));
        r.append("- java: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append('\n');
        if (clusters.size() > 1) {
            r.append("- etcd: ").append(Bench.firstLine(etcdPath, "--version")).append('\n');
        }
        r.append("- wrk: ").append(Bench.firstLine(b.opt.getOrDefault("wrk", "wrk"), "-v").replaceAll(" Copyright.*", ""))
                .append(String.format(Locale.ROOT, "; spread: 3 wrk at once, one per server, 1 thread each, %d/%d/%d "
                        + "connections; leader only: 1 wrk, %d threads, %d connections%n", connections / 3 + (connections % 3 > 0 ? 1 : 0),
                        connections / 3 + (connections % 3 > 1 ? 1 : 0), connections / 3, b.intOpt("wrk-threads", 2), connections));
        r.append(String.format(Locale.ROOT, "- load: %d keys, %d-byte values, written once through the leader; warm-up "
                + "(spread): %s; then %d rounds of %d s measured after %d s warm-up (spread), then %s%n%n", keys, valueBytes,
                String.join(", ", warmedUp), rounds, seconds, warmup,
                leaderSeconds > 0 ? leaderSeconds + " s leader only" : "no leader-only run"));

        boolean withEtcd = clusters.size() > 1;
        r.append("| cluster | clients to | PUT/s | GET/s | PUT CPU µs/req | GET CPU µs/req |")
                .append(withEtcd ? " PUT vs etcd | GET vs etcd |" : "").append('\n');
        r.append("|---|---|---:|---:|---:|---:|").append(withEtcd ? "---:|---:|" : "").append('\n');
        for (boolean leaderOnly : List.of(false, true)) {
            for (Cluster c : clusters) {
                List<Run> put = select(runs, c.name(), "put", leaderOnly);
                List<Run> get = select(runs, c.name(), "get", leaderOnly);
                if (put.isEmpty()) {
                    continue;
                }
                r.append(String.format(Locale.ROOT, "| %s | %s | **%.0f** | **%.0f** | %.1f | %.1f |", c.name(),
                        leaderOnly ? "leader only" : "all 3", rate(put), rate(get), cpu(put), cpu(get)));
                if (withEtcd) {
                    r.append(String.format(Locale.ROOT, " **%.2fx** | **%.2fx** |",
                            rate(put) / rate(select(runs, "etcd", "put", leaderOnly)),
                            rate(get) / rate(select(runs, "etcd", "get", leaderOnly))));
                }
                r.append('\n');
            }
        }
        r.append("\nCPU: user + system of all 3 servers of the cluster per request. Each run (req/s summed over the "
                + "servers loaded; per server: req/s, wrk's p50 and p99 in ms):\n\n");
        r.append("| op | round | cluster | req/s | per server: req/s, p50/p99 ms | CPU µs/req | JIT compiler threads' share of that CPU |\n"
                + "|---|---|---|---:|---|---:|---:|\n");
        for (boolean leaderOnly : List.of(false, true)) {
            for (String op : List.of("put", "get")) {
                for (Run run : runs) {
                    if (run.op().equals(op) && run.leaderOnly() == leaderOnly) {
                        r.append(String.format(Locale.ROOT, "| %s | %s | %s | %.0f%s | %s | %.1f | %s |%n", op.toUpperCase(Locale.ROOT),
                                leaderOnly ? "leader only" : Integer.toString(run.round()), run.cluster(), run.perSecond(),
                                run.errors() > 0 ? " (" + run.errors() + " errors)" : "",
                                perServer(run, w -> String.format(Locale.ROOT, "%.0f, %.2f/%.2f", w.perSecond(), w.p50Ms(), w.p99Ms())),
                                run.cpuMicros(), jitPercent(run, "%.0f%%")));
                    }
                }
            }
        }
        r.append("\nErrors (socket errors + non-2xx answers) over all measured runs: ")
                .append(runs.stream().mapToLong(Run::errors).sum()).append('\n');

        if (failovers.stream().allMatch(List::isEmpty)) {
            b.report(r.toString());
            return;
        }
        r.append(String.format(Locale.ROOT, "%nLeader failover: a PUT every %d ms (open loop) through the two other servers, "
                + "kill -9 of the leader, time to the first acknowledged PUT sent after it died; then the killed server "
                + "restarted (same data dir and ports) until a write through it and a read of it on it succeed.%n%n", writePeriodMs));
        r.append("| cluster | rounds | kill → first acknowledged write: median | min | max | each round, ms | restart → serving again, median s | writes failed |\n");
        r.append("|---|---:|---:|---:|---:|---|---:|---:|\n");
        for (int i = 0; i < clusters.size(); i++) {
            List<Failover> fs = failovers.get(i);
            if (fs.isEmpty()) {
                continue;
            }
            List<Double> ms = fs.stream().map(Failover::killToAckMs).filter(d -> !d.isNaN()).sorted().toList();
            List<Double> back = fs.stream().map(Failover::restartToBackMs).sorted().toList();
            r.append(String.format(Locale.ROOT, "| %s | %d | **%s** | %s | %s | %s | %.1f | %d of %d |%n", clusters.get(i).name(),
                    fs.size(), ms.isEmpty() ? "none" : String.format(Locale.ROOT, "%.0f ms", median(ms)),
                    ms.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f", ms.get(0)),
                    ms.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f", ms.get(ms.size() - 1)),
                    fs.stream().map(f -> Double.isNaN(f.killToAckMs()) ? "none in 20 s"
                            : String.format(Locale.ROOT, "%.0f", f.killToAckMs())).collect(Collectors.joining(", ")),
                    median(back) / 1000, fs.stream().mapToInt(Failover::failed).sum(), fs.stream().mapToInt(Failover::sent).sum()));
        }
        b.report(r.toString());
    }

    private static List<Run> select(List<Run> runs, String cluster, String op, boolean leaderOnly) {
        return runs.stream().filter(x -> x.cluster().equals(cluster) && x.op().equals(op) && x.leaderOnly() == leaderOnly).toList();
    }

    /** Mean of the runs' summed req/s (the runs are of equal length). */
    private static double rate(List<Run> rs) {
        return rs.stream().mapToDouble(Run::perSecond).average().orElse(Double.NaN);
    }

    private static double cpu(List<Run> rs) {
        long requests = rs.stream().mapToLong(Run::requests).sum();
        return requests == 0 ? 0 : rs.stream().mapToDouble(x -> x.cpuMicros() * x.requests()).sum() / requests;
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String perServer(Run run, java.util.function.Function<Wrk.Result, String> f) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < run.wrk().size(); i++) {
            parts.add(run.servers().get(i) + " " + f.apply(run.wrk().get(i)));
        }
        return String.join("; ", parts);
    }
}

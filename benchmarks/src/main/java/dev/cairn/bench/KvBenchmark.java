package dev.cairn.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Cairn against etcd 3.4 on one machine, in one run, so their ratio means something on a noisy
 * host. See BENCHMARKS.md for what is measured and why; run it through benchmarks/run.sh. With
 * {@code --jar-b} a second Cairn build runs alongside under the same load: an A/B test of a change.
 *
 * <ol>
 *   <li>Both servers start durable (own data dir, default fsync) on loopback and stay up.</li>
 *   <li>Each gets the same key space written once, then the same JIT warm-up load (Cairn is a
 *       JVM; etcd is not, and a cold JIT would flatter etcd).</li>
 *   <li>Rounds of PUT and GET, each a warm-up and a measured wrk run, alternating which server
 *       goes first so a slow patch of the host hits both.</li>
 *   <li>Cairn only: 10,000 blocking queries parked on one key, one PUT, time to the last answer.</li>
 * </ol>
 *
 * Every child process is stopped in a finally block and by a shutdown hook; its pid also goes to
 * {@code --pid-file} for run.sh's trap.
 */
public final class KvBenchmark {

    private final Map<String, String> opt;
    private final int seconds;
    private final int warmup;
    private final int jitWarmup;
    private final int rounds;
    private final int keys;
    private final int valueBytes;
    private final int watchers;
    private final int watchReps;
    private final boolean withEtcd;
    private final List<ServerProcess> running = new ArrayList<>();
    private Path pidFile;
    private volatile Wrk wrk;
    private final StringBuilder report = new StringBuilder();

    private KvBenchmark(Map<String, String> opt) {
        this.opt = opt;
        this.seconds = intOpt("seconds", 10);
        this.warmup = intOpt("warmup", 2);
        this.jitWarmup = intOpt("jit-warmup", 30);
        this.rounds = intOpt("rounds", 2);
        this.keys = intOpt("keys", 10_000);
        this.valueBytes = intOpt("value-bytes", 100);
        this.watchers = intOpt("watchers", 10_000);
        this.watchReps = intOpt("watch-reps", 5);
        this.withEtcd = !opt.getOrDefault("etcd", "/usr/bin/etcd").equals("none");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("usage: KvBenchmark --jar cairn.jar [--etcd PATH|none] [--wrk PATH] [--out FILE]"
                        + " [--pid-file FILE] [--seconds 10] [--warmup 2] [--jit-warmup 30] [--rounds 2]"
                        + " [--connections 64] [--wrk-threads 2] [--keys 10000] [--value-bytes 100]"
                        + " [--watchers 10000] [--watch-reps 5] [--cairn-java-opts '...'] [--label TEXT]"
                        + " [--jar-b other-cairn.jar [--cairn-b-java-opts '...']] [--source GIT-DESCRIBE]");
                System.exit(2);
            }
            opt.put(args[i].substring(2), args[++i]);
        }
        if (!opt.containsKey("jar")) {
            System.err.println("--jar is required (the cairn.jar to benchmark)");
            System.exit(2);
        }
        new KvBenchmark(opt).run();
    }

    private int intOpt(String name, int def) {
        return Integer.parseInt(opt.getOrDefault(name, Integer.toString(def)));
    }

    private void run() throws Exception {
        Path work = Files.createTempDirectory("cairn-bench-");
        pidFile = Path.of(opt.getOrDefault("pid-file", work.resolve("pids").toString()));
        // on SIGTERM/SIGINT the finally below does not run: the hook stops everything instead
        Thread hook = new Thread(() -> {
            Wrk w = wrk;
            if (w != null) {
                w.stop();
            }
            stopAll();
            deleteTree(work);
        }, "stop-servers");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            measure(work, pidFile);
        } finally {
            stopAll();
            Runtime.getRuntime().removeShutdownHook(hook);
            deleteTree(work);
        }
        String out = opt.get("out");
        if (out != null) {
            Files.writeString(Path.of(out), report.toString());
            log("figures written to " + out);
        }
    }

    /** A server under test: "cairn", "cairn-b" (a second jar, for A/B) or "etcd". */
    private record Target(String name, boolean etcd, String url, int port, ServerProcess process) {
    }

    private void measure(Path work, Path pidFile) throws Exception {
        Path script = work.resolve("kv.lua");
        try (InputStream in = KvBenchmark.class.getResourceAsStream("kv.lua")) {
            Files.copy(in, script);
        }
        Wrk wrk = new Wrk(opt.getOrDefault("wrk", "wrk"), script, intOpt("wrk-threads", 2), intOpt("connections", 64));
        this.wrk = wrk;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();

        List<Target> targets = new ArrayList<>();
        targets.add(startCairn("cairn", opt.get("jar"), opt.getOrDefault("cairn-java-opts", ""), work, pidFile));
        if (opt.containsKey("jar-b")) {
            targets.add(startCairn("cairn-b", opt.get("jar-b"), opt.getOrDefault("cairn-b-java-opts", ""), work, pidFile));
        }
        if (withEtcd) {
            targets.add(startEtcd(http, work, pidFile));
        }

        for (Target t : targets) {
            preload(t);
            log(t.name() + ": JIT warm-up " + jitWarmup + " s PUT + " + jitWarmupGet() + " s GET");
            wrk.run(t.url(), jitWarmup, wrkArgs(t, "put"));
            wrk.run(t.url(), jitWarmupGet(), wrkArgs(t, "get"));
        }

        // results.get(server + " " + op) = one Measured per round
        Map<String, List<Measured>> results = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            List<Target> order = new ArrayList<>(targets);
            if (round % 2 == 0) {
                java.util.Collections.reverse(order);
            }
            for (String op : List.of("put", "get")) {
                for (Target t : order) {
                    wrk.run(t.url(), warmup, wrkArgs(t, op));
                    long cpu = t.process().cpuNanos();
                    Wrk.Result r = wrk.run(t.url(), seconds, wrkArgs(t, op));
                    double cpuMicros = (t.process().cpuNanos() - cpu) / 1e3 / Math.max(1, r.requests());
                    results.computeIfAbsent(t.name() + " " + op, k -> new ArrayList<>()).add(new Measured(r, cpuMicros));
                    log(String.format(Locale.ROOT, "round %d %s %s: %.0f/s p50 %.2f ms p99 %.2f ms, server CPU %.1f us/request,"
                            + " errors %d, load average %.1f", round, t.name(), op.toUpperCase(Locale.ROOT), r.perSecond(),
                            r.p50Ms(), r.p99Ms(), cpuMicros, r.errors(), loadAverage()));
                }
            }
        }

        Map<String, List<ParkedQueries.Round>> wakes = new LinkedHashMap<>();
        if (watchers > 0) {
            for (Target t : targets) {
                if (!t.etcd()) {
                    wakes.put(t.name(), parked(http, t));
                }
            }
        }
        stopAll();
        report(targets, results, wakes);
        System.out.print(report);
    }

    private String[] wrkArgs(Target t, String op) {
        return new String[] {t.etcd() ? "etcd" : "cairn", op, Integer.toString(keys), Integer.toString(valueBytes)};
    }

    private Target startCairn(String name, String jarPath, String javaOpts, Path work, Path pidFile) throws Exception {
        // a copy: someone may rebuild dist/target/cairn.jar while this runs
        Path jar = Files.copy(Path.of(jarPath), work.resolve(name + ".jar"));
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        if (!javaOpts.isBlank()) {
            cmd.addAll(List.of(javaOpts.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-jar", jar.toString(), "server", "-data-dir", work.resolve(name + "-data").toString(),
                "-node", "bench", "-bind", "127.0.0.1", "-http-port", Integer.toString(port),
                "-raft-port", Integer.toString(freePort()), "-dns-port", "-1"));
        ServerProcess p = started(ServerProcess.start(name, cmd, work.resolve(name + ".log"), pidFile));
        p.awaitReady(() -> p.logContains("cairn server ready"), Duration.ofSeconds(60));
        log(name + " up, pid " + p.pid() + ", port " + port + ", " + jarPath);
        return new Target(name, false, "http://127.0.0.1:" + port, port, p);
    }

    private Target startEtcd(HttpClient http, Path work, Path pidFile) throws Exception {
        int port = freePort();
        String url = "http://127.0.0.1:" + port;
        String peerUrl = "http://127.0.0.1:" + freePort();
        ServerProcess p = started(ServerProcess.start("etcd", Bench.etcdCommand(opt.getOrDefault("etcd", "/usr/bin/etcd"),
                "bench", work.resolve("etcd-data"), url, peerUrl, "bench=" + peerUrl), work.resolve("etcd.log"), pidFile));
        p.awaitReady(() -> get(http, url + "/health").contains("\"true\""), Duration.ofSeconds(60));
        log("etcd up, pid " + p.pid() + ", port " + port);
        return new Target("etcd", true, url, port, p);
    }

    /** GETs are a shorter code path than PUTs (no Raft): a third of the PUT warm-up suffices. */
    private int jitWarmupGet() {
        return Math.max(1, jitWarmup / 3);
    }

    /** A measured wrk run and the server's CPU time per request during it. */
    private record Measured(Wrk.Result wrk, double cpuMicrosPerRequest) {
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private ServerProcess started(ServerProcess p) {
        synchronized (running) {
            running.add(p);
        }
        return p;
    }

    private void stopAll() {
        List<ServerProcess> toStop;
        synchronized (running) {
            toStop = new ArrayList<>(running);
            running.clear();
        }
        for (ServerProcess p : toStop) {
            try {
                p.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        // all stopped: nothing is left for run.sh's trap to kill (and no pid it might kill once reused)
        if (!toStop.isEmpty() && pidFile != null) {
            try {
                Files.writeString(pidFile, "");
            } catch (IOException e) {
                log("could not empty " + pidFile + ": " + e.getMessage());
            }
        }
    }

    /** Writes every key once over 64 connections, so GETs find values and PUTs overwrite. */
    private void preload(Target t) throws Exception {
        long start = System.nanoTime();
        List<byte[]> requests = Preload.kvPuts(t.etcd(), keys, valueBytes);
        Preload.run(t.port(), requests, 64, 120);
        log(String.format(Locale.ROOT, "%s: %d keys written in %.1f s", t.name(), keys, (System.nanoTime() - start) / 1e9));
    }

    private List<ParkedQueries.Round> parked(HttpClient http, Target t) throws Exception {
        String url = t.url();
        String key = "bench/watched";
        byte[] value = "v".repeat(valueBytes).getBytes(StandardCharsets.US_ASCII);
        List<ParkedQueries.Round> out = new ArrayList<>();
        try (ParkedQueries pq = new ParkedQueries(new InetSocketAddress("127.0.0.1", t.port()))) {
            long start = System.nanoTime();
            pq.connect(watchers, Duration.ofSeconds(60));
            log(String.format(Locale.ROOT, "%d connections open in %.1f s", watchers + 1, (System.nanoTime() - start) / 1e9));
            send(http, HttpRequest.newBuilder(URI.create(url + "/v1/kv/" + key))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build());
            for (int rep = 1; rep <= watchReps; rep++) {
                HttpResponse<String> current = send(http, HttpRequest.newBuilder(URI.create(url + "/v1/kv/" + key)).build());
                long index = Long.parseLong(current.headers().firstValue("X-Consul-Index").orElseThrow());
                ParkedQueries.Round r = pq.round(key, index, value, Duration.ofSeconds(60));
                out.add(r);
                log(String.format(Locale.ROOT, t.name() + " parked %d: woke all %d in %.1f ms (the PUT answered in %.1f ms), "
                        + "%d failed, %d answered early", rep, r.answered(), r.wakeAllMs(), r.putMs(), r.failed(), r.early()));
            }
        }
        return out;
    }

    private void report(List<Target> targets, Map<String, List<Measured>> results,
                        Map<String, List<ParkedQueries.Round>> wakes) {
        String label = opt.getOrDefault("label", "");
        report.append("Run ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(label.isEmpty() ? "" : " (" + label + ")").append("\n\n");
        report.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores (nproc), ")
                .append(Bench.cpuModel()).append(", Linux ").append(System.getProperty("os.version"))
                .append(String.format(Locale.ROOT, ", load average %.1f at the end%n", loadAverage()));
        report.append("- java: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(" (the same binary runs Cairn and the harness)\n");
        for (Target t : targets) {
            report.append("- ").append(t.name()).append(": ").append(t.etcd()
                    ? Bench.firstLine(opt.getOrDefault("etcd", "/usr/bin/etcd"), "--version")
                    : opt.get(t.name().equals("cairn") ? "jar" : "jar-b")
                      + (t.name().equals("cairn") && opt.containsKey("source") ? " (built from " + opt.get("source") + ")" : "")
                      + javaOptsNote(opt.get(t.name().equals("cairn") ? "cairn-java-opts" : "cairn-b-java-opts")))
                    .append('\n');
        }
        report.append("- wrk: ").append(Bench.firstLine(opt.getOrDefault("wrk", "wrk"), "-v").replaceAll(" Copyright.*", ""))
                .append(", ").append(intOpt("wrk-threads", 2)).append(" threads, ").append(intOpt("connections", 64))
                .append(" keep-alive connections\n");
        report.append(String.format(Locale.ROOT, "- load: %d keys, %d-byte values; per server first %d s PUT + %d s GET "
                + "JIT warm-up, then %d rounds of %d s measured after %d s warm-up%n%n", keys, valueBytes, jitWarmup,
                jitWarmupGet(), rounds, seconds, warmup));

        Target etcd = targets.stream().filter(Target::etcd).findFirst().orElse(null);
        report.append("| server | PUT/s | GET/s | PUT CPU µs/req | GET CPU µs/req |")
                .append(etcd == null ? "" : " PUT vs etcd | GET vs etcd |").append('\n');
        report.append("|---|---:|---:|---:|---:|").append(etcd == null ? "" : "---:|---:|").append('\n');
        for (Target t : targets) {
            List<Measured> put = results.getOrDefault(t.name() + " put", List.of());
            List<Measured> get = results.getOrDefault(t.name() + " get", List.of());
            report.append(String.format(Locale.ROOT, "| %s | **%.0f** | **%.0f** | %.1f | %.1f |", t.name(), mean(put),
                    mean(get), cpu(put), cpu(get)));
            if (etcd != null) {
                report.append(String.format(Locale.ROOT, " **%s** | **%s** |",
                        ratio(mean(put), mean(results.getOrDefault("etcd put", List.of()))),
                        ratio(mean(get), mean(results.getOrDefault("etcd get", List.of())))));
            }
            report.append('\n');
        }
        report.append("\nEach run (req/s, wrk's latency percentiles, server CPU time per request):\n\n");
        report.append("| op | round | server | req/s | p50 ms | p99 ms | CPU µs/req |\n");
        report.append("|---|---|---|---:|---:|---:|---:|\n");
        for (String op : List.of("put", "get")) {
            for (int round = 0; round < rounds; round++) {
                for (Target t : targets) {
                    List<Measured> ms = results.getOrDefault(t.name() + " " + op, List.of());
                    if (round < ms.size()) {
                        report.append(String.format(Locale.ROOT, "| %s | %d | %s | %s |%n", op.toUpperCase(Locale.ROOT),
                                round + 1, t.name(), cells(ms.get(round))));
                    }
                }
            }
        }
        long errors = results.values().stream().flatMap(List::stream).mapToLong(m -> m.wrk().errors()).sum();
        report.append("\nErrors (socket errors + non-2xx answers) over all measured runs: ").append(errors).append('\n');
        for (var e : wakes.entrySet()) {
            List<ParkedQueries.Round> w = e.getValue();
            List<Double> ms = w.stream().map(ParkedQueries.Round::wakeAllMs).sorted().toList();
            report.append(String.format(Locale.ROOT, "%n%s, one PUT waking %d parked blocking queries on its key: "
                    + "**median %.0f ms** from sending the PUT to the last of the %d answers (runs: %s ms; the PUT's own "
                    + "answer came after %s ms); wrong answers %d, answered before the PUT %d%n", e.getKey(), watchers,
                    ms.get(ms.size() / 2), watchers, joined(w, ParkedQueries.Round::wakeAllMs),
                    joined(w, ParkedQueries.Round::putMs), w.stream().mapToInt(ParkedQueries.Round::failed).sum(),
                    w.stream().mapToInt(ParkedQueries.Round::early).sum()));
        }
    }

    private static String javaOptsNote(String javaOpts) {
        return javaOpts == null || javaOpts.isBlank() ? "" : " (JVM options: " + javaOpts + ")";
    }

    private static String joined(List<ParkedQueries.Round> rounds, java.util.function.ToDoubleFunction<ParkedQueries.Round> f) {
        return String.join(", ", rounds.stream().map(r -> String.format(Locale.ROOT, "%.0f", f.applyAsDouble(r))).toList());
    }

    private static String cells(Measured m) {
        Wrk.Result r = m.wrk();
        return String.format(Locale.ROOT, "%.0f%s | %.2f | %.2f | %.1f", r.perSecond(),
                r.errors() > 0 ? " (" + r.errors() + " errors)" : "", r.p50Ms(), r.p99Ms(), m.cpuMicrosPerRequest());
    }

    private static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2fx", a / b);
    }

    /** Requests over all rounds divided by time over all rounds. */
    private static double mean(List<Measured> ms) {
        double seconds = ms.stream().mapToDouble(m -> m.wrk().seconds()).sum();
        return seconds == 0 ? 0 : ms.stream().mapToLong(m -> m.wrk().requests()).sum() / seconds;
    }

    /** Server CPU per request over all rounds, weighted by requests. */
    private static double cpu(List<Measured> ms) {
        long requests = ms.stream().mapToLong(m -> m.wrk().requests()).sum();
        return requests == 0 ? 0 : ms.stream().mapToDouble(m -> m.cpuMicrosPerRequest() * m.wrk().requests()).sum() / requests;
    }

    private static String get(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(req.uri()).timeout(Duration.ofSeconds(30))
                .method(req.method(), req.bodyPublisher().orElse(HttpRequest.BodyPublishers.noBody())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(req.method() + " " + req.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log("could not delete " + root + ": " + e.getMessage());
        }
    }

    private static void log(String line) {
        System.err.println("[bench] " + line);
    }
}

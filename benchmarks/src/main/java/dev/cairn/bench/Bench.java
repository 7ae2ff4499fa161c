package dev.cairn.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What RegistryBenchmark and DaemonBenchmark share: options, child processes (stopped in a finally
 * block and by a shutdown hook, pids in {@code --pid-file} for run.sh's trap), a durable Cairn
 * server on loopback, small HTTP calls.
 */
final class Bench implements AutoCloseable {

    final Map<String, String> opt;
    final Path work;
    final Path pidFile;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ServerProcess> running = new ArrayList<>();
    private final Thread hook;

    /** A started Cairn server. */
    record Server(ServerProcess process, int port, String url) {
    }

    Bench(String[] args, String usage) throws IOException {
        opt = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("usage: " + usage);
                System.exit(2);
            }
            opt.put(args[i].substring(2), args[++i]);
        }
        if (!opt.containsKey("jar")) {
            System.err.println("--jar is required (the cairn.jar to benchmark)");
            System.exit(2);
        }
        work = Files.createTempDirectory("cairn-bench-");
        pidFile = Path.of(opt.getOrDefault("pid-file", work.resolve("pids").toString()));
        // on SIGTERM/SIGINT finally blocks do not run: the hook stops everything instead
        hook = new Thread(() -> {
            stopAll();
            deleteTree(work);
        }, "stop-processes");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    int intOpt(String name, int def) {
        return Integer.parseInt(opt.getOrDefault(name, Integer.toString(def)));
    }

    /** The cairn.jar, copied once: someone may rebuild dist/target/cairn.jar while this runs. */
    Path jar() throws IOException {
        Path copy = work.resolve("cairn.jar");
        if (!Files.exists(copy)) {
            Files.copy(Path.of(opt.get("jar")), copy);
        }
        return copy;
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** A durable single-node server with its own data dir, as KvBenchmark starts it. */
    Server startServer(String name) throws Exception {
        int port = freePort();
        List<String> cmd = List.of(java(), "-jar", jar().toString(), "server", "-data-dir",
                work.resolve(name + "-data").toString(), "-node", "bench", "-bind", "127.0.0.1",
                "-http-port", Integer.toString(port), "-raft-port", Integer.toString(freePort()), "-dns-port", "-1");
        ServerProcess p = start(name, cmd);
        p.awaitReady(() -> p.logContains("cairn server ready"), Duration.ofSeconds(60));
        log(name + " up, pid " + p.pid() + ", port " + port);
        return new Server(p, port, "http://127.0.0.1:" + port);
    }

    ServerProcess start(String name, List<String> cmd) throws IOException {
        ServerProcess p = ServerProcess.start(name, cmd, work.resolve(name + ".log"), pidFile);
        synchronized (running) {
            running.add(p);
        }
        return p;
    }

    /** Stops one process started here (and forgets it). */
    void stop(ServerProcess p) throws InterruptedException {
        synchronized (running) {
            running.remove(p);
        }
        p.close();
    }

    /** Stops processes started here (and forgets them) in parallel: all get SIGTERM, then each is waited for. */
    void stop(List<ServerProcess> ps) throws InterruptedException {
        synchronized (running) {
            running.removeAll(ps);
        }
        ps.forEach(ServerProcess::terminate);
        for (ServerProcess p : ps) {
            p.close();
        }
    }

    void stopAll() {
        List<ServerProcess> toStop;
        synchronized (running) {
            toStop = new ArrayList<>(running);
            running.clear();
        }
        // the daemon (started last) first, then the server
        for (int i = toStop.size() - 1; i >= 0; i--) {
            try {
                toStop.get(i).close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!toStop.isEmpty()) {
            try {
                Files.writeString(pidFile, "");
            } catch (IOException e) {
                log("could not empty " + pidFile + ": " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        stopAll();
        Runtime.getRuntime().removeShutdownHook(hook);
        deleteTree(work);
    }

    /** Sends a request and insists on a 200. */
    HttpResponse<String> send(String method, String url, String body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    /** Appends a report section to {@code --out} (run.sh collects every benchmark's there) and prints it. */
    void report(String section) throws IOException {
        System.out.print(section);
        String out = opt.get("out");
        if (out != null) {
            Files.writeString(Path.of(out), section, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
    }

    /** The CPU's model name from /proc/cpuinfo, for reports. */
    static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    /** The first line a command prints (a version, for reports); "?" if it cannot run. */
    static String firstLine(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().findFirst().orElse("?").trim();
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    /**
     * An etcd member on loopback, durable with etcd's default fsync settings: one member alone
     * ({@code initialCluster} = {@code name=peerUrl}) or one of several.
     */
    static List<String> etcdCommand(String etcd, String name, Path dataDir, String clientUrl, String peerUrl,
                                    String initialCluster) {
        return List.of(etcd, "--name", name, "--data-dir", dataDir.toString(),
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", initialCluster, "--initial-cluster-state", "new");
    }

    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** The p-th percentile (0..100) of sorted values, nearest rank. */
    static double percentile(List<Double> sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path root) {
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

    static void log(String line) {
        System.err.println("[bench] " + line);
    }
}

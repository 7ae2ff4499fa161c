package dev.cairn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 5's benchmark: a {@code cairn server} and a {@code cairn template} daemon, each its own
 * process, on one machine.
 *
 * <ol>
 *   <li>Latency: the daemon renders {@code {{key:bench/tmpl}}} to {@code out.txt} with
 *       {@code wait} off and the command {@code date +%s%N >> stamps.txt}. The harness PUTs a new
 *       value, then polls {@code out.txt} (every 100 µs) until it holds that value, then waits
 *       for the command's line in {@code stamps.txt}, then the next PUT: sequential changes,
 *       each bounded by a timeout. write→file = the harness seeing the file's new content, minus
 *       the moment before the PUT was sent; write→command = the command's own {@code date}
 *       stamp minus that same moment (both wall clock, epoch nanoseconds). A warm-up of changes
 *       first (the daemon is a JVM too), then the measured changes.</li>
 *   <li>Server load: a second daemon with 100 templates (a {@code -config} JSON file) over 50
 *       distinct queries (30 {@code key:}, 20 {@code service:}); once all 100 files are written,
 *       the server's {@code consul.rpc.queries_blocking} gauge (GET /v1/agent/metrics) says how
 *       many blocking queries it holds.</li>
 * </ol>
 */
public final class DaemonBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        try (Bench b = new Bench(args, "DaemonBenchmark --jar cairn.jar [--out FILE] [--pid-file FILE] [--changes 1000]"
                + " [--warmup-changes 200] [--templates 100] [--queries 50]")) {
            new DaemonBenchmark().run(b);
        }
    }

    private void run(Bench b) throws Exception {
        int changes = b.intOpt("changes", 1000);
        int warmupChanges = b.intOpt("warmup-changes", 200);
        int templates = b.intOpt("templates", 100);
        int queries = b.intOpt("queries", 50);
        Bench.Server s = b.startServer("cairn");
        Path dir = Files.createDirectories(b.work.resolve("daemon"));

        // 1. write -> file -> command
        Path tmpl = dir.resolve("t.ctmpl");
        Path out = dir.resolve("out.txt");
        Path stamps = dir.resolve("stamps.txt");
        Files.writeString(tmpl, "{{key:bench/tmpl}}");
        put(b, s, "bench/tmpl", "start");
        ServerProcess daemon = b.start("daemon", List.of(Bench.java(), "-jar", b.jar().toString(), "template",
                "-http-addr", "127.0.0.1:" + s.port(), "-wait", "0",
                "-template", tmpl + ":" + out + ":date +%s%N >> " + stamps));
        daemon.awaitReady(() -> read(out).equals("start") && lines(stamps) >= 1, Duration.ofSeconds(60));
        Thread.sleep(500);
        int stampLines = lines(stamps);
        Bench.log("daemon up, pid " + daemon.pid() + "; " + warmupChanges + " warm-up changes, then " + changes);

        List<Double> toAnswer = new ArrayList<>();
        List<Double> toFile = new ArrayList<>();
        List<Double> toCommand = new ArrayList<>();
        for (int i = 0; i < warmupChanges + changes; i++) {
            String value = "value-" + i + "-" + System.nanoTime();
            long t0 = epochNanos();
            put(b, s, "bench/tmpl", value);
            long tAnswer = epochNanos();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!read(out).equals(value)) {
                if (System.nanoTime() > deadline || !daemon.isAlive()) {
                    throw new IllegalStateException("change " + i + " not rendered within 10 s; see " + b.work.resolve("daemon.log"));
                }
                LockSupport.parkNanos(100_000);
            }
            long tFile = epochNanos();
            stampLines++;
            while (lines(stamps) < stampLines) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("change " + i + ": command did not run within 10 s");
                }
                LockSupport.parkNanos(200_000);
            }
            List<String> all = Files.readAllLines(stamps);
            long tCommand = Long.parseLong(all.get(stampLines - 1).trim());
            if (i >= warmupChanges) {
                toAnswer.add((tAnswer - t0) / 1e6);
                toFile.add((tFile - t0) / 1e6);
                toCommand.add((tCommand - t0) / 1e6);
            }
        }
        if (lines(stamps) != stampLines) {
            throw new IllegalStateException("the command ran " + lines(stamps) + " times, expected " + stampLines);
        }
        b.stop(daemon);
        long parkedBefore = parked(b, s);

        // 2. 100 templates over 50 distinct queries
        int keyQueries = queries * 3 / 5;
        for (int q = 0; q < queries; q++) {
            if (q < keyQueries) {
                put(b, s, String.format(Locale.ROOT, "bench/q/%02d", q), "value-" + q);
            } else {
                b.send("PUT", s.url() + "/v1/agent/service/register", String.format(Locale.ROOT,
                        "{\"ID\":\"svc-%02d\",\"Name\":\"svc-%02d\",\"Address\":\"10.0.0.%d\",\"Port\":%d}", q, q, q, 9000 + q));
            }
        }
        StringBuilder config = new StringBuilder("{\"wait\": \"0\", \"template\": [\n");
        List<Path> outputs = new ArrayList<>();
        for (int t = 0; t < templates; t++) {
            int q = t % queries;
            String contents = q < keyQueries ? String.format(Locale.ROOT, "{{key:bench/q/%02d}}", q)
                    : String.format(Locale.ROOT, "{{#service:svc-%02d}}server %d {{Address}}:{{Port}}\\n{{/service:svc-%02d}}", q, t, q);
            Path dest = dir.resolve("many-" + t + ".txt");
            outputs.add(dest);
            config.append(t == 0 ? "" : ",\n").append("  {\"contents\": \"").append(contents)
                    .append("\", \"destination\": \"").append(dest).append("\"}");
        }
        config.append("\n]}\n");
        Path configFile = Files.writeString(dir.resolve("many.json"), config);
        ServerProcess many = b.start("daemon-many", List.of(Bench.java(), "-jar", b.jar().toString(), "template",
                "-http-addr", "127.0.0.1:" + s.port(), "-config", configFile.toString()));
        many.awaitReady(() -> outputs.stream().allMatch(Files::exists), Duration.ofSeconds(60));
        Thread.sleep(1000);
        List<Long> samples = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            samples.add(parked(b, s));
            Thread.sleep(200);
        }
        b.stopAll();

        toAnswer.sort(null);
        toFile.sort(null);
        toCommand.sort(null);
        StringBuilder rep = new StringBuilder();
        rep.append(String.format(Locale.ROOT, "%n### Template daemon (issue 5)%n%n- one durable cairn server and one "
                + "`cairn template` daemon (separate processes), `wait` off, template `{{key:bench/tmpl}}`, command "
                + "`date +%%s%%N >> stamps.txt`; %d sequential changes measured after %d warm-up changes; load average "
                + "%.1f at the end%n%n", changes, warmupChanges, Bench.loadAverage()));
        rep.append("| KV write → | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|\n");
        rep.append(row("the PUT's own answer (for scale)", toAnswer)).append(row("rendered file on disk", toFile)).append(row("reload command started", toCommand));
        rep.append(String.format(Locale.ROOT, "%nServer load: %d templates over %d distinct queries (%d key:, %d service:) "
                + "in one daemon → the server holds **%d blocking queries** (consul.rpc.queries_blocking, 10 samples "
                + "over 2 s: min %d, max %d; %d before this daemon started)%n", templates, queries, keyQueries,
                queries - keyQueries, samples.stream().sorted().toList().get(samples.size() / 2),
                samples.stream().mapToLong(Long::longValue).min().orElse(-1),
                samples.stream().mapToLong(Long::longValue).max().orElse(-1), parkedBefore));
        b.report(rep.toString());
    }

    private static String row(String what, List<Double> sorted) {
        return String.format(Locale.ROOT, "| %s | %.2f | %.2f | **%.2f** | %.2f |%n", what, Bench.percentile(sorted, 50),
                Bench.percentile(sorted, 90), Bench.percentile(sorted, 99), sorted.get(sorted.size() - 1));
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static void put(Bench b, Bench.Server s, String key, String value) throws Exception {
        b.send("PUT", s.url() + "/v1/kv/" + key, value);
    }

    private static long parked(Bench b, Bench.Server s) throws Exception {
        JsonNode metrics = JSON.readTree(b.send("GET", s.url() + "/v1/agent/metrics", null).body());
        for (JsonNode g : metrics.path("Gauges")) {
            if (g.path("Name").asText().equals("consul.rpc.queries_blocking")) {
                return g.path("Value").asLong();
            }
        }
        throw new IllegalStateException("no consul.rpc.queries_blocking gauge in /v1/agent/metrics");
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static int lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p).size() : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}

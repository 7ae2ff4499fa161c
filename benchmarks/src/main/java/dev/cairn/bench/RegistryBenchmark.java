package dev.cairn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 3's benchmark, against one durable {@code cairn server} on loopback, with wrk and
 * {@code registry.lua} (64 keep-alive connections, 2 threads, as for KV):
 *
 * <ul>
 *   <li>{@code GET /v1/health/service/web?passing} with 1,000 passing instances of {@code web}
 *       registered (each answer is the whole list, about 1,000 entries);</li>
 *   <li>{@code PUT /v1/agent/service/register}, every request a new service ID (a Raft write each).</li>
 * </ul>
 *
 * Health first (JIT warm-up, then rounds), while web's instances are nearly all the catalog holds;
 * then registrations (warm-up, rounds); then one more health run over the grown catalog. Reported:
 * req/s, wrk's p50/p99, server CPU per request.
 */
public final class RegistryBenchmark {

    private record Run(String op, int round, Wrk.Result wrk, double cpuMicros) {
    }

    public static void main(String[] args) throws Exception {
        try (Bench b = new Bench(args, "RegistryBenchmark --jar cairn.jar [--out FILE] [--pid-file FILE] [--seconds 10]"
                + " [--jit-warmup 10] [--rounds 2] [--instances 1000] [--connections 64] [--wrk-threads 2] [--wrk wrk]")) {
            new RegistryBenchmark().run(b);
        }
    }

    private void run(Bench b) throws Exception {
        int seconds = b.intOpt("seconds", 10);
        int jitWarmup = b.intOpt("jit-warmup", 10);
        int rounds = b.intOpt("rounds", 2);
        int instances = b.intOpt("instances", 1000);
        int connections = b.intOpt("connections", 64);
        int threads = b.intOpt("wrk-threads", 2);
        // enough distinct IDs per wrk thread for a run at 30,000 registrations/s
        int perThread = Math.max(10_000, 30_000 * Math.max(seconds, jitWarmup) / threads);

        Path script = b.work.resolve("registry.lua");
        try (InputStream in = RegistryBenchmark.class.getResourceAsStream("registry.lua")) {
            Files.copy(in, script);
        }
        Wrk wrk = new Wrk(b.opt.getOrDefault("wrk", "wrk"), script, threads, connections);
        Bench.Server s = b.startServer("cairn");

        long start = System.nanoTime();
        List<byte[]> regs = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            String body = String.format(Locale.ROOT, "{\"ID\":\"web-%04d\",\"Name\":\"web\",\"Address\":\"10.0.%d.%d\","
                    + "\"Port\":%d,\"Tags\":[\"http\",\"v1\"],\"Meta\":{\"version\":\"1\"}}", i, i / 250, i % 250 + 1, 8000 + i);
            regs.add(Preload.request("PUT", "/v1/agent/service/register", "application/json",
                    body.getBytes(StandardCharsets.UTF_8)));
        }
        Preload.run(s.port(), regs, 16, 120);
        String health = b.send("GET", s.url() + "/v1/health/service/web?passing", null).body();
        int found = new ObjectMapper().readTree(health).size();
        if (found != instances) {
            throw new IllegalStateException("health/service/web?passing lists " + found + " instances, not " + instances);
        }
        Bench.log(String.format(Locale.ROOT, "%d instances of web registered in %.1f s; one answer is %d bytes",
                instances, (System.nanoTime() - start) / 1e9, health.length()));

        // health first, while web's 1,000 are nearly all the catalog holds; then registrations; then
        // health once more, over a catalog grown by every registration
        List<Run> runs = new ArrayList<>();
        Bench.log("JIT warm-up: " + jitWarmup + " s of health");
        wrk.run(s.url(), jitWarmup, "health", "web");
        for (int round = 1; round <= rounds; round++) {
            runs.add(measure(s, wrk, "health", round, seconds, "health", "web"));
        }
        Bench.log("JIT warm-up: " + jitWarmup + " s of registrations");
        long registered = wrk.run(s.url(), jitWarmup, "register", "w", Integer.toString(perThread)).requests();
        for (int round = 1; round <= rounds; round++) {
            Run r = measure(s, wrk, "register", round, seconds, "register", "r" + round, Integer.toString(perThread));
            registered += r.wrk().requests();
            if (r.wrk().requests() > (long) perThread * threads) {
                Bench.log("warning: more registrations than distinct IDs, some re-registered");
            }
            runs.add(r);
        }
        Run after = measure(s, wrk, "health-after", 1, seconds, "health", "web");
        b.stopAll();

        StringBuilder rep = new StringBuilder();
        rep.append(String.format(Locale.ROOT, "%n### Service registry (issue 3)%n%n- one durable cairn server; wrk %d threads, "
                + "%d keep-alive connections; %d instances of web (no checks of their own: passing); %d s JIT warm-up of "
                + "each, then %d rounds of %d s each; load average %.1f at the end%n%n",
                threads, connections, instances, jitWarmup, rounds, seconds, Bench.loadAverage()));
        rep.append("| op | req/s (pooled) | round | req/s | p50 ms | p99 ms | CPU µs/req | errors |\n");
        rep.append("|---|---:|---|---:|---:|---:|---:|---:|\n");
        for (String op : List.of("health", "register")) {
            List<Run> rs = runs.stream().filter(r -> r.op().equals(op)).toList();
            double pooled = rs.stream().mapToLong(r -> r.wrk().requests()).sum()
                    / rs.stream().mapToDouble(r -> r.wrk().seconds()).sum();
            String label = op.equals("health") ? "GET /v1/health/service/web?passing" : "PUT /v1/agent/service/register";
            for (Run r : rs) {
                rep.append(String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.2f | %.2f | %.1f | %d |%n",
                        r.round() == 1 ? label : "", r.round() == 1 ? String.format(Locale.ROOT, "**%.0f**", pooled) : "",
                        r.round(), r.wrk().perSecond(), r.wrk().p50Ms(), r.wrk().p99Ms(), r.cpuMicros(), r.wrk().errors()));
            }
        }
        rep.append(String.format(Locale.ROOT, "%nThe same health GET after the registrations above (%d more service "
                + "instances, of other services, in the catalog): %.0f/s, p50 %.2f ms, p99 %.2f ms, %.1f µs CPU per request%n",
                registered, after.wrk().perSecond(), after.wrk().p50Ms(), after.wrk().p99Ms(), after.cpuMicros()));
        b.report(rep.toString());
    }

    private static Run measure(Bench.Server s, Wrk wrk, String op, int round, int seconds, String... args) throws Exception {
        long cpu = s.process().cpuNanos();
        Wrk.Result r = wrk.run(s.url(), seconds, args);
        double micros = (s.process().cpuNanos() - cpu) / 1e3 / Math.max(1, r.requests());
        Bench.log(String.format(Locale.ROOT, "round %d %s: %.0f/s p50 %.2f ms p99 %.2f ms, server CPU %.1f us/request,"
                + " errors %d, load average %.1f", round, op, r.perSecond(), r.p50Ms(), r.p99Ms(), micros,
                r.errors(), Bench.loadAverage()));
        return new Run(op, round, r, micros);
    }
}

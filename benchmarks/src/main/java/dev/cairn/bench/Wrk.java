package dev.cairn.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs wrk (closed loop: each connection sends its next request when the last one is answered)
 * with {@code kv.lua}, and reads throughput, latency percentiles and errors from its report.
 */
final class Wrk {

    /** One wrk run. Latencies in milliseconds; errors are socket errors plus non-2xx answers. */
    record Result(long requests, double seconds, double perSecond, double p50Ms, double p99Ms, long errors,
                  String raw) {
    }

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
    private static final Pattern PER_SECOND = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)(?:\\.0+)?%\\s+([\\d.]+)(us|ms|s|m)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    private final String wrk;
    private final Path script;
    private final int threads;
    private final int connections;
    private volatile Process running;

    Wrk(String wrk, Path script, int threads, int connections) {
        this.wrk = wrk;
        this.script = script;
        this.threads = threads;
        this.connections = connections;
    }

    /** Runs for {@code seconds} against {@code baseUrl}; {@code args} go to kv.lua's init(). */
    Result run(String baseUrl, int seconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(wrk, "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--latency", "--timeout", "10s", "-s", script.toString(), baseUrl, "--"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        running = p;
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
                throw new IllegalStateException("wrk did not finish: " + cmd);
            }
        } finally {
            p.destroyForcibly();
            running = null;
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("wrk failed (" + p.exitValue() + "): " + out);
        }
        return parse(out);
    }

    /**
     * Runs several wrk processes at once, {@code wrks.get(i)} against {@code baseUrls.get(i)} (e.g. one per
     * server of a cluster), and returns their results in that order.
     */
    static List<Result> runTogether(List<Wrk> wrks, List<String> baseUrls, int seconds, String... args)
            throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(wrks.size());
        try {
            List<Future<Result>> runs = new ArrayList<>();
            for (int i = 0; i < wrks.size(); i++) {
                Wrk w = wrks.get(i);
                String url = baseUrls.get(i);
                runs.add(pool.submit(() -> w.run(url, seconds, args)));
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> f : runs) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    wrks.forEach(Wrk::stop);
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Kills the wrk run in progress, if any (from a shutdown hook). */
    void stop() {
        Process p = running;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    static Result parse(String out) {
        Matcher m = REQUESTS.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no request count in wrk output:\n" + out);
        }
        long requests = Long.parseLong(m.group(1));
        double seconds = millis(m.group(2), m.group(3)) / 1000;
        Matcher rps = PER_SECOND.matcher(out);
        if (!rps.find()) {
            throw new IllegalStateException("no Requests/sec in wrk output:\n" + out);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher pm = PERCENTILE.matcher(out);
        while (pm.find()) {
            double ms = millis(pm.group(2), pm.group(3));
            if (pm.group(1).equals("50")) {
                p50 = ms;
            } else {
                p99 = ms;
            }
        }
        long errors = 0;
        Matcher se = SOCKET_ERRORS.matcher(out);
        if (se.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(se.group(g));
            }
        }
        Matcher bad = NON_2XX.matcher(out);
        if (bad.find()) {
            errors += Long.parseLong(bad.group(1));
        }
        return new Result(requests, seconds, Double.parseDouble(rps.group(1)), p50, p99, errors, out);
    }

    private static double millis(String number, String unit) {
        double v = Double.parseDouble(number);
        return switch (unit) {
            case "us" -> v / 1000;
            case "ms" -> v;
            case "s" -> v * 1000;
            case "m" -> v * 60_000;
            default -> throw new IllegalArgumentException("unknown wrk time unit " + unit);
        };
    }
}

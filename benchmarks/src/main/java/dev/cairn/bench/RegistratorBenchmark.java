package dev.cairn.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 7's benchmark: a durable {@code cairn server} and a {@code cairn registrator} (separate
 * processes) and the real Docker engine ({@code /usr/bin/docker}). Each round creates a container
 * from a busybox image built here from {@code /bin/busybox} (httpd, port 80 published on
 * 127.0.0.1; nothing pulled), then times {@code docker start}: from the moment it returns (and,
 * for scale, from the moment it was called) to the service showing in
 * {@code GET /v1/health/service/<name>}, polled every 2 ms, each round bounded by a timeout.
 * Warm-up rounds first (the registrator is a JVM too), then the measured rounds; containers are
 * removed as it goes and at the end (all named {@code cairn-bench-...}).
 */
public final class RegistratorBenchmark {

    private static final String DOCKER = "/usr/bin/docker";
    private static final String IMAGE = "cairn-bench-busybox:latest";
    private static final String PREFIX = "cairn-bench-reg-";

    public static void main(String[] args) throws Exception {
        try (Bench b = new Bench(args, "RegistratorBenchmark --jar cairn.jar [--out FILE] [--pid-file FILE]"
                + " [--rounds 20] [--warmup 3]")) {
            try {
                new RegistratorBenchmark().run(b);
            } finally {
                removeContainers();
            }
        }
    }

    private void run(Bench b) throws Exception {
        int rounds = b.intOpt("rounds", 20);
        int warmup = b.intOpt("warmup", 3);
        buildImage(b.work);
        Bench.Server s = b.startServer("cairn");
        ServerProcess reg = b.start("registrator", List.of(Bench.java(), "-jar", b.jar().toString(), "registrator",
                "-http-addr", "127.0.0.1:" + s.port()));
        reg.awaitReady(() -> reg.logContains("watching Docker"), Duration.ofSeconds(60));
        Bench.log("registrator up, pid " + reg.pid() + "; " + warmup + " warm-up rounds, then " + rounds);

        List<Double> fromReturn = new ArrayList<>();
        List<Double> fromCall = new ArrayList<>();
        List<Double> startCall = new ArrayList<>();
        String run = Long.toString(System.currentTimeMillis() % 100_000, 36);
        for (int i = 0; i < warmup + rounds; i++) {
            String name = PREFIX + run + "-" + i;
            String service = "bench-reg-" + run + "-" + i;
            docker("create", "--name", name, "-p", "127.0.0.1::80", "-e", "SERVICE_NAME=" + service,
                    IMAGE, "/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/");
            long t0 = System.nanoTime();
            docker("start", name);
            long t1 = System.nanoTime();
            long deadline = t1 + Duration.ofSeconds(15).toNanos();
            while (!visible(b, s, service)) {
                if (System.nanoTime() > deadline || !reg.isAlive()) {
                    throw new IllegalStateException("round " + i + ": " + service + " not in the catalog within 15 s;"
                            + " see " + b.work.resolve("registrator.log"));
                }
                LockSupport.parkNanos(2_000_000);
            }
            long t2 = System.nanoTime();
            if (i >= warmup) {
                fromReturn.add((t2 - t1) / 1e6);
                fromCall.add((t2 - t0) / 1e6);
                startCall.add((t1 - t0) / 1e6);
            }
            docker("rm", "-f", name);
        }
        b.stopAll();

        fromReturn.sort(null);
        fromCall.sort(null);
        startCall.sort(null);
        StringBuilder rep = new StringBuilder();
        rep.append(String.format(Locale.ROOT, "%n### Registrator (issue 7)%n%n- one durable cairn server, one "
                + "`cairn registrator` (separate processes), Docker %s; busybox httpd containers, port 80 published on "
                + "127.0.0.1; %d measured rounds after %d warm-up rounds, one container at a time; "
                + "`/v1/health/service/<name>` polled every 2 ms; load average %.1f at the end%n%n",
                docker("version", "--format", "{{.Server.Version}}"), rounds, warmup, Bench.loadAverage()));
        rep.append("| | median ms | p90 ms | min ms | max ms |\n|---|---:|---:|---:|---:|\n");
        rep.append(row("`docker start` returned → service visible", fromReturn));
        rep.append(row("`docker start` called → service visible", fromCall));
        rep.append(row("`docker start` itself (for scale)", startCall));
        b.report(rep.toString());
    }

    private static String row(String what, List<Double> sorted) {
        return String.format(Locale.ROOT, "| %s | **%.1f** | %.1f | %.1f | %.1f |%n", what, Bench.percentile(sorted, 50),
                Bench.percentile(sorted, 90), sorted.get(0), sorted.get(sorted.size() - 1));
    }

    private static boolean visible(Bench b, Bench.Server s, String service) {
        try {
            return !b.send("GET", s.url() + "/v1/health/service/" + service, null).body().strip().equals("[]");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The benchmark's image: /bin/busybox (Debian's busybox-static) alone in a rootfs, imported. */
    private static void buildImage(Path work) throws IOException {
        try {
            docker("image", "inspect", "--format", "{{.Id}}", IMAGE);
            return; // there already: importing the tag again would leave the old image behind, untagged
        } catch (IllegalStateException e) {
            // not there yet
        }
        Path root = Files.createDirectories(work.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("busybox"));
        root.resolve("busybox").toFile().setExecutable(true, false);
        exec(List.of("/bin/sh", "-c", "tar -C '" + root.getParent() + "' -c . | " + DOCKER + " import - " + IMAGE));
    }

    private static void removeContainers() {
        try {
            String ids = docker("ps", "-aq", "--filter", "name=^/" + PREFIX);
            if (!ids.isBlank()) {
                List<String> cmd = new ArrayList<>(List.of(DOCKER, "rm", "-f"));
                cmd.addAll(List.of(ids.split("\\s+")));
                exec(cmd);
            }
        } catch (RuntimeException e) {
            Bench.log("could not remove containers: " + e.getMessage());
        }
    }

    private static String docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of(DOCKER));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    private static String exec(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

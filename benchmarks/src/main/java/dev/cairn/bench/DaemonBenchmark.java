package dev.cairn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 5's benchmark: a {@code cairn server} and a {@code cairn template} daemon, each its own
 * process, on one machine.
 *
 * <ol>
 *   <li>Latency: the daemon renders, with {@code wait} off, {@code {{key:bench/tmpl-a}}} and the
 *       instances of service {@code web-a} ({@code /v1/health/service/web-a}), each twice (own key
 *       and service): once with the command {@code date +%s%N >> STAMPS} (shell syntax: the daemon
 *       runs it through {@code /bin/sh -c}) and once with {@code date +%s%N} (plain words, like
 *       {@code nginx -s reload}: a daemon that runs such commands without a shell starts
 *       {@code date} directly; its line reaches the daemon's stdout, which is its log file here,
 *       and the harness picks the lines made only of digits out of it). The harness makes a change
 *       (a KV PUT, or a registration moving the instance to a new port), then polls the output file
 *       (every 100 µs) until it holds the new output, then waits for the command's stamp, then the
 *       next change: sequential changes, each bounded by a timeout, all kinds taking turns.
 *       write→file = the harness seeing the file's new content, minus the moment before the write
 *       was sent; write→command = the command's own {@code date} stamp minus that same moment (both
 *       wall clock, epoch nanoseconds). A warm-up of changes first, then the measured changes:
 *       server and daemon are JVMs, and at this light load their JIT compilers were still busy
 *       minutes in (see {@link #WARMUP_CHANGES}); the report gives the compiler threads' share of
 *       each process's CPU during the measured changes. With {@code --jar-b}, a second daemon from
 *       that jar (its own keys and services, same server; JVM options from {@code --java-opts-b})
 *       takes its turns too: an A/B of two daemon builds in one run.</li>
 *   <li>Server load: a second daemon with 100 templates (a {@code -config} JSON file) over 50
 *       distinct queries (30 {@code key:}, 20 {@code service:}); once all 100 files are written,
 *       the server's {@code consul.rpc.queries_blocking} gauge (GET /v1/agent/metrics) says how
 *       many blocking queries it holds.</li>
 * </ol>
 */
public final class DaemonBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Warm-up changes per daemon and kind of change. At this light load (a change every few ms) the
     * JVMs' compilers are busy for minutes: after 200 changes of each kind (about 25 s) the compiler
     * threads of the server, the daemon and this harness used 1.5-2.5 s of the two cores in every
     * 10 s, and p99 to the command was 15-23 ms; during the 1,000 after 2,000 the compilers still
     * took 33% of the server's CPU and 16% of the daemon's; after 5,000 (about 2.5 minutes) 5% and
     * 0%, and p99 to the command was 8-10 ms (BENCHMARKS.md, "Template daemon"). A daemon runs for
     * months: the warm figure is the one that describes it.
     */
    private static final int WARMUP_CHANGES = 5000;

    public static void main(String[] args) throws Exception {
        try (Bench b = new Bench(args, "DaemonBenchmark --jar cairn.jar [--jar-b other.jar] [--out FILE] [--pid-file FILE]"
                + " [--changes 1000] [--commands shell,direct] [--java-opts-a '-Dx=y ...'] [--java-opts-b '...']"
                + " [--warmup-changes 5000] [--templates 100] [--queries 50]")) {
            new DaemonBenchmark().run(b);
        }
    }

    /** One daemon under test: its process and, per kind of change, its template's output and command stamps. */
    private record Daemon(String name, ServerProcess process, List<Watched> watched) {
    }

    /**
     * A template of a daemon: the file it renders and where its command's stamps appear (a file of
     * its own for {@link Command#SHELL}; the daemon's log, shared by its direct commands, for
     * {@link Command#DIRECT}).
     */
    private record Watched(Kind kind, Command command, String id, Path out, Stamps stamps) {
        String key() {
            return kind + "/" + command;
        }
    }

    /** The template's command: both stamp the moment {@code date} runs. */
    private enum Command {
        SHELL("`date +%s%N >> STAMPS` (shell syntax: `/bin/sh -c`)", ""),
        DIRECT("`date +%s%N` (plain words: no shell needed)", "-d");

        final String title;
        /** Appended to the daemon's name in its key and service, so each template has its own. */
        final String suffix;

        Command(String title, String suffix) {
            this.title = title;
            this.suffix = suffix;
        }
    }

    /** What a change is: a KV write, or a registration changing a service instance's port. */
    private enum Kind {
        KV("KV write (`PUT /v1/kv/KEY`)", "{{key:bench/tmpl-%s}}"),
        REGISTRATION("service registration (`PUT /v1/agent/service/register`, new port)",
                "{{#service:web-%s}}{{Address}}:{{Port}}\n{{/service:web-%s}}");

        final String title;
        final String template;

        Kind(String title, String template) {
            this.title = title;
            this.template = template;
        }
    }

    /** Latencies of one daemon and kind of change, in ms. */
    private record Samples(List<Double> answer, List<Double> file, List<Double> command, List<Double> fileToCommand) {
        Samples() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    private void run(Bench b) throws Exception {
        int changes = b.intOpt("changes", 1000);
        int warmupChanges = b.intOpt("warmup-changes", WARMUP_CHANGES);
        int templates = b.intOpt("templates", 100);
        int queries = b.intOpt("queries", 50);
        List<Command> commands = new ArrayList<>();
        for (String c : b.opt.getOrDefault("commands", "shell,direct").split(",")) {
            commands.add(Command.valueOf(c.trim().toUpperCase(Locale.ROOT)));
        }
        Bench.Server s = b.startServer("cairn");
        Path dir = Files.createDirectories(b.work.resolve("daemon"));

        // 1. change -> file -> command, for each daemon (A: --jar, B: --jar-b) and kind of change
        List<Daemon> daemons = new ArrayList<>();
        daemons.add(startDaemon(b, s, dir, "a", b.jar(), commands));
        if (b.opt.containsKey("jar-b")) {
            Path jarB = b.work.resolve("cairn-b.jar");
            Files.copy(Path.of(b.opt.get("jar-b")), jarB);
            daemons.add(startDaemon(b, s, dir, "b", jarB, commands));
        }
        Bench.log(daemons.size() + " daemon(s) up; per daemon and kind of change " + warmupChanges
                + " warm-up changes, then " + changes + ", interleaved");

        Map<String, Samples> results = new LinkedHashMap<>();
        for (Daemon d : daemons) {
            for (Watched w : d.watched()) {
                results.put(d.name() + "/" + w.key(), new Samples());
            }
        }
        // one change of each (daemon, kind) in turn, so that a noisy moment of the shared host
        // hits them alike
        List<ServerProcess> jvms = new ArrayList<>(List.of(s.process()));
        daemons.forEach(d -> jvms.add(d.process()));
        long[][] ticksBefore = null;
        for (int i = 0; i < warmupChanges + changes; i++) {
            if (i == warmupChanges) {
                ticksBefore = ticks(jvms);
            }
            for (Daemon d : daemons) {
                for (Watched w : d.watched()) {
                    change(b, s, d, w, i, i >= warmupChanges ? results.get(d.name() + "/" + w.key()) : null);
                }
            }
        }
        long[][] ticksAfter = ticks(jvms);
        String compilerShares = compilerShares(jvms, ticksBefore != null ? ticksBefore : ticksAfter, ticksAfter);
        Thread.sleep(200);
        for (Daemon d : daemons) {
            for (Watched w : d.watched()) {
                if (w.stamps().hasNext()) {
                    throw new IllegalStateException("daemon " + d.name() + ": a " + w.key()
                            + " command ran more often than its file changed");
                }
            }
            for (Watched w : d.watched()) {
                w.stamps().close(); // the direct ones share one
            }
            b.stop(d.process());
        }
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

        StringBuilder rep = new StringBuilder();
        rep.append(String.format(Locale.ROOT, "%n### Template daemon (issue 5)%n%n- one durable cairn server and "
                + "one `cairn template` daemon per build (separate processes), `wait` off, two templates per "
                + "daemon and command: `{{key:bench/tmpl-X}}` and `{{#service:web-X}}{{Address}}:{{Port}}\\n{{/service:web-X}}` "
                + "(`/v1/health/service/web-X`), with the command `date +%%s%%N >> STAMPS` and/or `date +%%s%%N` "
                + "(stdout); %d sequential changes of each measured after %d warm-up changes, interleaved; JIT "
                + "compiler threads' share of each process's CPU during the measured changes: %s; load "
                + "average %.1f at the end%n", changes, warmupChanges, compilerShares, Bench.loadAverage()));
        for (Daemon d : daemons) {
            String opts = b.opt.getOrDefault("java-opts-" + d.name(), "");
            rep.append(String.format(Locale.ROOT, "- daemon %s: %s%s%n", d.name(),
                    d.name().equals("a") ? b.opt.get("jar") : b.opt.get("jar-b"), opts.isBlank() ? "" : ", JVM options " + opts));
        }
        for (Kind k : Kind.values()) {
          for (Command c : commands) {
            for (Daemon d : daemons) {
                Samples m = results.get(d.name() + "/" + k + "/" + c);
                m.answer().sort(null);
                m.file().sort(null);
                m.command().sort(null);
                m.fileToCommand().sort(null);
                rep.append(String.format(Locale.ROOT, "%n| %s, command %s, daemon %s → | p50 ms | p90 ms | p99 ms | max ms |%n"
                        + "|---|---:|---:|---:|---:|%n", k.title, c.title, d.name()));
                rep.append(row("the write's own answer (for scale)", m.answer()))
                        .append(row("rendered file on disk", m.file()))
                        .append(row("reload command started", m.command()))
                        .append(row("(file seen → command started)", m.fileToCommand()));
            }
          }
        }
        rep.append(String.format(Locale.ROOT, "%nServer load: %d templates over %d distinct queries (%d key:, %d service:) "
                + "in one daemon → the server holds **%d blocking queries** (consul.rpc.queries_blocking, 10 samples "
                + "over 2 s: min %d, max %d; %d before this daemon started)%n", templates, queries, keyQueries,
                queries - keyQueries, samples.stream().sorted().toList().get(samples.size() / 2),
                samples.stream().mapToLong(Long::longValue).min().orElse(-1),
                samples.stream().mapToLong(Long::longValue).max().orElse(-1), parkedBefore));
        b.report(rep.toString());
    }

    /**
     * Starts a daemon from {@code jar} with one template per kind of change and command, and waits
     * for every file and command.
     */
    private static Daemon startDaemon(Bench b, Bench.Server s, Path dir, String name, Path jar, List<Command> commands)
            throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        List<String> cmd = new ArrayList<>(List.of(Bench.java()));
        for (String o : b.opt.getOrDefault("java-opts-" + name, "").trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.addAll(List.of("-jar", jar.toString(), "template", "-http-addr", "127.0.0.1:" + s.port(), "-wait", "0"));
        Path log = b.work.resolve("daemon-" + name + ".log");
        Stamps fromLog = null;
        List<Watched> watched = new ArrayList<>();
        for (Command c : commands) {
            for (Kind k : Kind.values()) {
                String id = name + c.suffix;
                String file = k.name().toLowerCase(Locale.ROOT) + c.suffix;
                Path tmpl = Files.writeString(d.resolve(file + ".ctmpl"), k.template.replace("%s", id));
                Path out = d.resolve(file + ".txt");
                Stamps stamps;
                cmd.add("-template");
                if (c == Command.SHELL) {
                    Path stampFile = Files.createFile(d.resolve(file + ".stamps"));
                    cmd.add(tmpl + ":" + out + ":date +%s%N >> " + stampFile);
                    stamps = new Stamps(stampFile, false);
                } else {
                    if (fromLog == null) {
                        Files.write(log, new byte[0]); // ServerProcess truncates it, keeping the inode we read
                        fromLog = new Stamps(log, true);
                    }
                    cmd.add(tmpl + ":" + out + ":date +%s%N");
                    stamps = fromLog;
                }
                watched.add(new Watched(k, c, id, out, stamps));
                write(b, s, id, k, -1);
            }
        }
        ServerProcess p = b.start("daemon-" + name, cmd);
        long direct = watched.stream().filter(w -> w.command() == Command.DIRECT).count();
        p.awaitReady(() -> watched.stream().allMatch(w -> Files.exists(w.out()))
                        && watched.stream().filter(w -> w.command() == Command.SHELL).allMatch(w -> w.stamps().size() > 0)
                        && (direct == 0 || Stamps.count(log) >= direct),
                Duration.ofSeconds(60));
        Thread.sleep(500);
        for (Watched w : watched) {
            w.stamps().skipToEnd();
        }
        Bench.log("daemon " + name + " up, pid " + p.pid() + " (" + jar.getFileName() + ")");
        return new Daemon(name, p, watched);
    }

    /**
     * Makes change {@code i} of kind {@code k} for daemon {@code name}; returns what the rendered
     * file must then hold. Registration: instance {@code web-NAME-1} of {@code web-NAME} moves to
     * port 20000 + i (the daemon's template lists address:port).
     */
    private static String write(Bench b, Bench.Server s, String name, Kind k, int i) throws Exception {
        switch (k) {
            case KV -> {
                String value = "value-" + i + "-" + System.nanoTime();
                put(b, s, "bench/tmpl-" + name, value);
                return value;
            }
            case REGISTRATION -> {
                int port = 20000 + (i + 1) % 40000;
                b.send("PUT", s.url() + "/v1/agent/service/register", String.format(Locale.ROOT,
                        "{\"ID\":\"web-%s-1\",\"Name\":\"web-%s\",\"Address\":\"10.1.0.1\",\"Port\":%d}",
                        name, name, port));
                return "10.1.0.1:" + port + "\n";
            }
            default -> throw new IllegalArgumentException(k.toString());
        }
    }

    private static long[][] ticks(List<ServerProcess> jvms) {
        return jvms.stream().map(ServerProcess::cpuTicksWithCompiler).toArray(long[][]::new);
    }

    /** "cairn 3%, daemon-a 1%": how much of each JVM's CPU its JIT compiler threads used between the two readings. */
    private static String compilerShares(List<ServerProcess> jvms, long[][] before, long[][] after) {
        List<String> shares = new ArrayList<>();
        for (int j = 0; j < jvms.size(); j++) {
            long total = after[j][0] - before[j][0];
            long compiler = after[j][1] - before[j][1];
            shares.add(String.format(Locale.ROOT, "%s %.0f%%", jvms.get(j).name(), 100.0 * compiler / Math.max(1, total)));
        }
        return String.join(", ", shares);
    }

    /** One measured change: write, poll the file (100 µs) until it holds the new output, then wait for the command's stamp. */
    private static void change(Bench b, Bench.Server s, Daemon d, Watched w, int i, Samples into) throws Exception {
        long t0 = epochNanos();
        String expected = write(b, s, w.id(), w.kind(), i);
        long tAnswer = epochNanos();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!read(w.out()).equals(expected)) {
            if (System.nanoTime() > deadline || !d.process().isAlive()) {
                throw new IllegalStateException(w.kind() + " change " + i + " not rendered within 10 s by daemon "
                        + d.name() + "; see " + b.work.resolve("daemon-" + d.name() + ".log"));
            }
            LockSupport.parkNanos(100_000);
        }
        long tFile = epochNanos();
        long tCommand = w.stamps().next(deadline);
        if (w.stamps().hasNext() || tCommand < t0 - 1_000_000) { // Instant.now(): microseconds
            throw new IllegalStateException(w.key() + " change " + i + ": the command of daemon " + d.name()
                    + " ran more than once");
        }
        if (into != null) {
            into.answer().add((tAnswer - t0) / 1e6);
            into.file().add((tFile - t0) / 1e6);
            into.command().add((tCommand - t0) / 1e6);
            into.fileToCommand().add((tCommand - tFile) / 1e6);
        }
    }

    /**
     * The stamps commands write ({@code date +%s%N}), read as they come: the file stays open and
     * only its new bytes are read, so polling it costs a stat, not a read of every line so far
     * (this harness shares 2 cores with what it measures). A stamps file holds nothing else; a
     * daemon's log ({@code filtered}) also holds its log lines, and a stamp is a line of digits.
     */
    private static final class Stamps implements AutoCloseable {
        private final Path path;
        private final boolean filtered;
        private final FileChannel channel;
        private long position;

        Stamps(Path path, boolean filtered) throws IOException {
            this.path = path;
            this.filtered = filtered;
            this.channel = FileChannel.open(path, StandardOpenOption.READ);
        }

        /** How many stamps {@code log} holds, read from the start. */
        static long count(Path log) {
            try {
                return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream().filter(Stamps::isStamp).count();
            } catch (IOException e) {
                return 0;
            }
        }

        private static boolean isStamp(String line) {
            return !line.isEmpty() && line.chars().allMatch(ch -> ch >= '0' && ch <= '9');
        }

        long size() {
            try {
                return channel.size();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void skipToEnd() {
            position = size();
        }

        /** Whether there is a stamp after the one last read (another command ran). */
        boolean hasNext() throws IOException {
            return scan(false) != null;
        }

        /** Waits (polling every 100 µs, until {@code deadline}) for the next stamp; returns it. */
        long next(long deadline) throws IOException {
            while (true) {
                Long stamp = scan(true);
                if (stamp != null) {
                    return stamp;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no new stamp in " + path + " within 10 s: the command did not run");
                }
                LockSupport.parkNanos(100_000);
            }
        }

        /** The next stamp among the whole lines after {@code position}, or null; {@code consume}: move past it. */
        private Long scan(boolean consume) throws IOException {
            long size = channel.size();
            long at = position;
            if (size <= at) {
                return null;
            }
            ByteBuffer buf = ByteBuffer.allocate((int) (size - at));
            channel.read(buf, at);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
            int from = 0;
            for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
                String line = text.substring(from, nl).trim();
                from = nl + 1;
                if (!filtered || isStamp(line)) {
                    if (consume) {
                        position = at + from;
                    }
                    return Long.parseLong(line);
                }
                if (consume) {
                    position = at + from; // a log line: skip it for good
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
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
}

package dev.cairn.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.awaitility.Awaitility.await;

/**
 * One {@code cairn server} running as a real OS process on free loopback ports, with a durable
 * data dir and its stdout/stderr appended to {@code server.log} in the work dir.
 *
 * <p>The jar under test ({@code -Dcairn.jar}) is copied once per JVM and the copy is run: other
 * people rebuild {@code dist/target/cairn.jar} while tests run, and a jar rewritten under a running
 * JVM crashes it at the next class load.
 *
 * <p>Every process started is registered; {@link CairnProcessExtension} closes whatever a test
 * class left running, and a shutdown hook kills anything still alive if the test JVM exits early,
 * so no server outlives the run.
 *
 * <p>Public for the cluster tests in {@code dev.cairn.it.cluster}, which build servers with
 * {@link #create} (a node name, ports chosen by the caller) because cluster members must know each
 * other's ports before any of them starts.
 */
public final class CairnProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<CairnProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static final List<CairnProcess> STARTED = Collections.synchronizedList(new ArrayList<>());
    private static Path jarCopy;
    private static RuntimeException jarError;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> {
            Process process = p.process;
            if (process != null) {
                process.destroyForcibly();
            }
        }), "cairn-it-reaper"));
    }

    private final Path workDir;
    private final Path dataDir;
    private final Path logFile;
    private final List<String> extraArgs;
    private final String node;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Http httpClient = new Http(this);
    private int httpPort;
    private int raftPort;
    private volatile Process process;
    private volatile String lastLogTail = "";

    private CairnProcess(Path workDir, String node, List<String> extraArgs) {
        this.workDir = workDir;
        this.node = node;
        this.dataDir = workDir.resolve("data");
        this.logFile = workDir.resolve("server.log");
        this.extraArgs = List.copyOf(extraArgs);
    }

    /**
     * Starts a durable single server with its data under {@code workDir} and waits until it has a
     * leader. {@code extraArgs} are appended to the {@code server} command line.
     */
    static CairnProcess start(Path workDir, String... extraArgs) {
        CairnProcess p = new CairnProcess(workDir, "it-node", List.of(extraArgs));
        STARTED.add(p);
        // a port found free can be taken before the server binds it (others run servers here too)
        for (int attempt = 1; ; attempt++) {
            p.httpPort = freePort();
            p.raftPort = freePort();
            try {
                p.launch();
                return p;
            } catch (IllegalStateException e) {
                boolean portTaken = p.logTail(40).contains("Address already in use");
                p.kill9();
                if (!portTaken || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * A server named {@code node} on the given ports, not started yet: for clusters, whose members
     * must know each other's ports before any of them starts. Start it with {@link #startNoWait()}.
     */
    public static CairnProcess create(Path workDir, String node, int httpPort, int raftPort, List<String> extraArgs) {
        CairnProcess p = new CairnProcess(workDir, node, extraArgs);
        p.httpPort = httpPort;
        p.raftPort = raftPort;
        STARTED.add(p);
        return p;
    }

    private void launch() {
        launchNoWait();
        awaitReady();
    }

    private void launchNoWait() {
        List<String> cmd = new ArrayList<>(List.of(
                javaBinary(), "-Xmx1g", "-jar", jar().toString(), "server",
                "-data-dir", dataDir.toString(),
                "-node", node,
                "-bind", "127.0.0.1",
                "-client", "127.0.0.1",
                "-http-port", Integer.toString(httpPort),
                "-raft-port", Integer.toString(raftPort),
                "-dns-port", "-1"));
        cmd.addAll(extraArgs);
        try {
            Files.createDirectories(workDir);
            Files.writeString(logFile, "---- " + String.join(" ", cmd) + System.lineSeparator(),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + cmd, e);
        }
        LIVE.add(this);
    }

    /** Polls {@code GET /v1/status/leader} until it names a leader; fails fast if the process dies. */
    public void awaitReady() {
        try {
            await("cairn server on HTTP port " + httpPort + " to have a leader")
                    .atMost(READY_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsMatching(e -> e instanceof IOException || e instanceof UncheckedIOException)
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("server exited with status " + process.exitValue());
                        }
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/v1/status/leader"))
                                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                        String body = r.body().trim();
                        return r.statusCode() == 200 && body.startsWith("\"") && body.length() > 2;
                    });
        } catch (RuntimeException e) {
            throw new IllegalStateException("cairn server did not become ready: " + e.getMessage()
                    + "\n---- tail of " + logFile + "\n" + logTail(60), e);
        }
    }

    public int httpPort() {
        return httpPort;
    }

    public int raftPort() {
        return raftPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    /** {@code http://127.0.0.1:<port><pathAndQuery>}; the path is sent as given (keep %2F encoded). */
    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + httpPort + pathAndQuery);
    }

    /**
     * This server's HTTP client, one per process: an {@code HttpClient} nobody references any more
     * is shut down by the JDK, failing or stalling its requests still in flight (seen as
     * ClosedChannelException on connect), so callers must not get a fresh one per request.
     */
    public Http http() {
        return httpClient;
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public long pid() {
        return running().pid();
    }

    /** Threads of the server process, from {@code /proc/<pid>/status}. */
    public int threadCount() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no Threads: line in /proc/" + pid() + "/status");
    }

    /** SIGTERM, then waits for a clean exit; returns the exit status. */
    public int stop() {
        Process p = running();
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException("server did not exit within " + STOP_TIMEOUT
                        + " of SIGTERM; killed it\n" + logTail(40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            LIVE.remove(this);
        }
        return p.exitValue();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already. */
    public void kill9() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(this);
    }

    /** Starts the server again on the same ports and data dir (it must not be running). */
    public void restart() {
        // a restart must keep its ports (the cluster knows the server by them); right after a
        // kill -9 the kernel may still hold one for a moment, so a bind failure is retried
        for (int attempt = 1; ; attempt++) {
            restartNoWait();
            try {
                awaitReady();
                return;
            } catch (IllegalStateException e) {
                if (attempt == 5 || !logTail(40).contains("Address already in use")) {
                    throw e;
                }
                kill9();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Like {@link #restart()} but returns at once, to watch the server come up; see {@link #awaitReady()}. */
    public void restartNoWait() {
        if (isAlive()) {
            throw new IllegalStateException("server is still running; stop() or kill9() it first");
        }
        launchNoWait();
    }

    /** Starts a server made by {@link #create} (or stopped) without waiting for it to have a leader. */
    public void startNoWait() {
        restartNoWait();
    }

    /**
     * Waits up to {@code timeout} for the process to exit on its own (say after {@code cairn leave})
     * and returns its exit status; fails if it is still running then.
     */
    public int awaitExit(Duration timeout) {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException("server was never started");
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("server still running " + timeout + " later: " + this + "\n" + logTail(40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        LIVE.remove(this);
        return p.exitValue();
    }

    public String node() {
        return node;
    }

    /** {@code 127.0.0.1:<raft port>}, the address the cluster knows this server by. */
    public String raftAddress() {
        return "127.0.0.1:" + raftPort;
    }

    /** The last {@code lines} lines of the server's log (all starts appended). */
    public String logTail(int lines) {
        try {
            if (!Files.exists(logFile)) {
                return lastLogTail;
            }
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return lastLogTail.isEmpty() ? "(log unreadable: " + e + ")" : lastLogTail;
        }
    }

    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the server if it still runs and keeps the log tail for failure reports. */
    @Override
    public void close() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        LIVE.remove(this);
        lastLogTail = logTail(60);
    }

    private Process running() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            throw new IllegalStateException("server is not running");
        }
        return p;
    }

    /** Processes started since {@code mark} (an earlier {@link #startedCount()}). */
    public static List<CairnProcess> startedSince(int mark) {
        synchronized (STARTED) {
            return new ArrayList<>(STARTED.subList(Math.min(mark, STARTED.size()), STARTED.size()));
        }
    }

    public static int startedCount() {
        return STARTED.size();
    }

    @Override
    public String toString() {
        return "cairn server " + node + " http=" + httpPort + " raft=" + raftPort + " log=" + logFile;
    }

    // ------------------------------------------------------------------ helpers

    /** A port free on the wildcard address (Ratis binds its port on all interfaces). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The copy of the jar under test, for tests that run other {@code cairn} commands as processes.
     * Copied once per JVM. A concurrent build may be rewriting (or have just deleted) the jar, so
     * this waits a while for a complete one; a failure is remembered so later tests fail at once.
     */
    public static synchronized Path jar() {
        if (jarCopy == null && jarError == null) {
            String property = System.getProperty("cairn.jar");
            if (property == null) {
                throw new IllegalStateException("system property cairn.jar is not set (failsafe sets it)");
            }
            Path source = Path.of(property);
            try {
                jarCopy = await("a complete " + source + " (build it: mvn -pl dist -am install -DskipTests)")
                        .atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(500))
                        .ignoreExceptions()
                        .until(() -> copyOf(source), copy -> copy != null);
            } catch (RuntimeException e) {
                jarError = e;
            }
        }
        if (jarError != null) {
            throw new IllegalStateException("no usable cairn jar", jarError);
        }
        return jarCopy;
    }

    private static Path copyOf(Path source) throws IOException {
        Path copy = Files.createTempFile("cairn-it-", ".jar");
        copy.toFile().deleteOnExit();
        Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
        try (JarFile jar = new JarFile(copy.toFile())) {
            if (jar.getManifest() == null || jar.getManifest().getMainAttributes().getValue("Main-Class") == null) {
                Files.delete(copy);
                throw new IOException("no Main-Class in " + source);
            }
        } catch (IOException e) {
            Files.deleteIfExists(copy);
            throw e;
        }
        return copy;
    }
}

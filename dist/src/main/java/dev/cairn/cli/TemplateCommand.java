package dev.cairn.cli;

import dev.cairn.store.CairnServer;
import dev.cairn.store.ServerConfig;
import dev.cairn.store.http.GoDuration;
import dev.cairn.template.DataSource;
import dev.cairn.template.Query;
import dev.cairn.watcher.DaemonConfig;
import dev.cairn.watcher.ExecSupervisor;
import dev.cairn.watcher.RunException;
import dev.cairn.watcher.StatusServer;
import dev.cairn.watcher.StoreClient;
import dev.cairn.watcher.TemplateDaemon;
import dev.cairn.watcher.TemplateRunner;
import dev.cairn.watcher.TemplateSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code cairn template}: consul-template's job with Cairn's Mustache templates (TEMPLATES.md).
 * Without {@code -once} it runs the daemon ({@link TemplateDaemon}) until SIGINT/SIGTERM (or the
 * config's {@code kill_signal}), reloading config files on SIGHUP ({@code reload_signal}); with
 * {@code -once} it renders once ({@link TemplateRunner}); {@code -parse-only} lists queries.
 * {@code -dev} starts an embedded throwaway store in this process and points the daemon at it;
 * {@code -exec} supervises a child ({@link ExecSupervisor}); {@code -status-addr} serves health and
 * metrics ({@link StatusServer}).
 *
 * <p>This class turns flags and config files into a {@link DaemonConfig} (files in order, then
 * flags, which win) and errors into exit codes: 2 for a bad command line or config file, 1 for
 * anything that failed (one line per problem).
 */
@Command(name = "template", sortOptions = false,
        description = {"Render templates from the store's data (consul-template's job, in Mustache).",
                "Runs until stopped (SIGINT/SIGTERM), re-rendering each template when the data it uses changes "
                        + "and running its command; SIGHUP reloads -config files. With -once: render every "
                        + "template once, write each output atomically, run its command if the file changed, exit."})
final class TemplateCommand implements Callable<Integer> {

    /** The embedded store's port with -dev, Consul's; a free one when it is taken. */
    static final int DEV_PORT = 8500;

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-template", "--template"}, paramLabel = "SOURCE:DEST[:COMMAND]",
            description = "A template to render to DEST, and a shell command to run when DEST changed "
                    + "(split on the first two colons: the command may contain more). Repeatable.")
    List<String> templates = new ArrayList<>();

    @Option(names = {"-config", "--config"}, paramLabel = "FILE",
            description = "A config file, JSON (.json) or YAML (.yaml, .yml), in consul-template's shape "
                    + "(README). Repeatable: later files win, flags win over files, templates add up.")
    List<Path> configFiles = new ArrayList<>();

    @Option(names = {"-once", "--once"}, description = "Render every template once and exit.")
    boolean once;

    @Option(names = {"-dry", "--dry"},
            description = "Print what would be written (a \"> DEST\" line, then the content) instead of writing; "
                    + "run no command. Without -once: on every change.")
    boolean dry;

    @Option(names = {"-diff", "--diff"},
            description = "With -once: print a unified diff against the current DEST (with -dry: instead of the content).")
    boolean diff;

    @Option(names = {"-parse-only", "--parse-only"},
            description = "List the queries each template uses and exit, without contacting a server.")
    boolean parseOnly;

    @Option(names = {"-dev", "--dev"},
            description = "Start a throwaway single-node store in this process (on 127.0.0.1:8500, or a free port "
                    + "if that is taken; -http-addr picks another) and watch it.")
    boolean dev;

    @Option(names = {"-wait", "--wait"}, paramLabel = "MIN[:MAX]",
            description = "Quiescence: render MIN after the last change, at most MAX after the first "
                    + "(default off; MIN alone means MAX = 4 x MIN).")
    String waitFlag;

    @Option(names = {"-max-stale", "--max-stale"}, paramLabel = "DURATION",
            description = "Let any server answer with data up to this old (default 2s; 0 disables stale reads).")
    String maxStale;

    @Option(names = {"-log-level", "--log-level"}, paramLabel = "LEVEL",
            description = "trace, debug, info (default), warn or err.")
    String logLevel;

    @Option(names = {"-pid-file", "--pid-file"}, paramLabel = "FILE",
            description = "Write the process id to FILE while running.")
    Path pidFile;

    @Option(names = {"-timeout", "--timeout"}, paramLabel = "DURATION", defaultValue = "30s",
            description = "How long -once waits for keys that do not exist yet (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = {"-perms", "--perms"}, paramLabel = "MODE",
            description = "Mode of output files that do not exist yet (default 0644), for templates without "
                    + "their own perms; existing files keep theirs.")
    String perms;

    @Option(names = {"-command-timeout", "--command-timeout"}, paramLabel = "DURATION",
            description = "How long a command or check may run before it is killed (default 30s), for templates "
                    + "without their own command_timeout.")
    String commandTimeout;

    @Option(names = {"-exec", "--exec"}, paramLabel = "COMMAND",
            description = "Supervise COMMAND (run by /bin/sh -c): start it once every template has been rendered, "
                    + "send it -exec-reload-signal (or restart it) when an output changes, pass signals on to it, "
                    + "and exit with its exit code when it exits.")
    String exec;

    @Option(names = {"-exec-reload-signal", "--exec-reload-signal"}, paramLabel = "SIGNAL",
            description = "Signal to send the -exec command when an output changes, e.g. SIGHUP "
                    + "(default: none, restart it instead).")
    String execReloadSignal;

    @Option(names = {"-exec-kill-signal", "--exec-kill-signal"}, paramLabel = "SIGNAL",
            description = "Signal that stops the -exec command for a restart or at exit (default SIGTERM).")
    String execKillSignal;

    @Option(names = {"-exec-kill-timeout", "--exec-kill-timeout"}, paramLabel = "DURATION",
            description = "How long the -exec command has to exit after its kill signal before SIGKILL (default 30s).")
    String execKillTimeout;

    @Option(names = {"-status-addr", "--status-addr"}, paramLabel = "HOST:PORT",
            description = "Serve GET /health (200 once every template has been rendered, 503 before) and "
                    + "GET /metrics (Prometheus text) on HOST:PORT, e.g. 127.0.0.1:8900.")
    String statusAddr;

    @Option(names = {"-consul-addr", "--consul-addr"}, paramLabel = "ADDR",
            description = "Same as -http-addr, as consul-template spells it.")
    String consulAddr;

    TemplateCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws InterruptedException {
        DaemonConfig config = config();
        applyLogLevel(config.logLevel());
        try {
            if (parseOnly) {
                TemplateRunner.printQueries(config.templates(), io.out());
                return 0;
            }
            if (once) {
                if (dev) {
                    throw new UsageException("-dev runs a store for the daemon: it cannot be used with -once");
                }
                TemplateRunner.Options options;
                try {
                    options = new TemplateRunner.Options(config.templates(), dry, diff, duration("-timeout", timeout),
                            config.newFilePerms());
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
                StoreClient client = new StoreClient(address(config), token(config));
                new TemplateRunner(client, options, local(io.env()), io.out(), io.err()).once();
                return 0;
            }
            if (diff) {
                throw new UsageException("-diff needs -once");
            }
            return daemon(config);
        } catch (RunException e) {
            io.out().flush();
            e.problems().forEach(p -> io.error("cairn: " + p));
            return 1;
        }
    }

    /** Runs the daemon (with its embedded store for -dev) until a stop signal; the exit code. */
    private int daemon(DaemonConfig config) throws RunException, InterruptedException {
        if (dry && config.exec() != null) {
            throw new UsageException("-exec runs a command: it cannot be used with -dry");
        }
        CairnServer embedded = dev ? startDevStore() : null;
        StatusServer status = null;
        ExecSupervisor child = null;
        try {
            URI address = embedded != null ? URI.create("http://127.0.0.1:" + embedded.httpPort()) : address(config);
            TemplateDaemon daemon = new TemplateDaemon(new StoreClient(address, token(config)), config, dry,
                    local(io.env()), io.out(), io.err());
            if (config.exec() != null) {
                child = ExecSupervisor.attach(daemon, config.exec());
            }
            if (config.statusAddr() != null) {
                status = StatusServer.start(daemon, config.statusAddr());
            }
            daemon.start();
            return run(daemon, config, child);
        } finally {
            if (child != null) {
                child.close();
            }
            if (status != null) {
                status.close();
            }
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /**
     * Handles signals until the daemon stops: the reload signal reloads the config; INT, TERM and
     * kill_signal stop the daemon (with -exec: go to the child first, whose exit then stops the
     * daemon); with -exec, any other signal is passed on to the child.
     */
    private int run(TemplateDaemon daemon, DaemonConfig config, ExecSupervisor child) throws InterruptedException {
        Set<String> stop = new LinkedHashSet<>(List.of("INT", "TERM", config.killSignal()));
        stop.remove(config.reloadSignal());
        Set<String> signals = new LinkedHashSet<>(stop);
        signals.add(config.reloadSignal());
        if (child != null) {
            signals.addAll(List.of("HUP", "USR1", "USR2"));
        }
        Logger log = LoggerFactory.getLogger(TemplateCommand.class);
        try (AutoCloseable handlers = SignalForwarder.register(sig -> {
            if (sig.equals(config.reloadSignal())) {
                inBackground("cairn-reload", () -> reload(daemon, log));
            } else if (stop.contains(sig)) {
                log.info("SIG{}: stopping", sig);
                inBackground("cairn-stop", () -> {
                    if (child == null || !child.stop(sig)) {
                        daemon.close();
                    }
                });
            } else if (child != null) {
                child.signal(sig);
            }
        }, new ArrayList<>(signals))) {
            int code = daemon.awaitExit();
            if (daemon.failure() != null) {
                io.error("cairn: " + daemon.failure());
            }
            return code;
        } catch (InterruptedException e) {
            daemon.close();
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** SIGHUP: the config files again (and the flags over them); a bad one leaves things as they are. */
    private void reload(TemplateDaemon daemon, Logger log) {
        try {
            daemon.reload(config());
        } catch (UsageException e) {
            log.error("config not reloaded: {}", e.getMessage());
        } catch (RunException e) {
            log.error("config not reloaded: {}", String.join("; ", e.problems()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void inBackground(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    /**
     * The embedded {@code -dev} store: in memory, one node, no Raft or DNS port to clash with, on
     * {@code -http-addr}'s port if given, else 8500, else (taken) any free port.
     */
    private CairnServer startDevStore() {
        if (consulAddr != null && !consulAddr.isBlank()) {
            throw new UsageException("-dev runs its own store: give no -consul-addr (use -http-addr to pick its port)");
        }
        ServerConfig c = new ServerConfig();
        c.dev = true;
        c.raftPort = -1;
        c.dnsPort = -1;
        if (server.httpAddr != null && !server.httpAddr.isBlank()) {
            URI uri = ClientOptions.parseAddress(server.httpAddr.strip(), "-http-addr");
            c.clientAddr = uri.getHost();
            c.httpPort = uri.getPort() < 0 ? DEV_PORT : uri.getPort();
        } else {
            c.httpPort = portFree(DEV_PORT) ? DEV_PORT : 0;
        }
        CairnServer s;
        try {
            s = CairnServer.start(c);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the -dev store: " + e.getMessage(), e);
        }
        io.println("cairn template: -dev store on http://" + c.clientAddr + ":" + s.httpPort()
                + " (in memory, gone on exit); try: cairn kv put -http-addr " + c.clientAddr + ":" + s.httpPort()
                + " KEY VALUE");
        io.out().flush();
        return s;
    }

    private static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Config files in order, then flags over them. Usage errors exit 2. */
    private DaemonConfig config() {
        DaemonConfig.Builder b = new DaemonConfig.Builder();
        try {
            for (Path f : configFiles) {
                b.file(f);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        for (String t : templates) {
            try {
                b.template(TemplateSpec.parse(t));
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        flag("-wait", waitFlag, v -> b.quiescence(DaemonConfig.Wait.parse(v)));
        flag("-max-stale", maxStale, v -> b.maxStale(GoDuration.parse(v)));
        flag("-log-level", logLevel, b::logLevel);
        if (pidFile != null) {
            b.pidFile(pidFile);
        }
        if (perms != null) {
            b.newFilePerms(mode(perms));
        }
        if (commandTimeout != null) {
            b.commandTimeout(duration("-command-timeout", commandTimeout));
        }
        flag("-exec", exec, b::exec);
        flag("-exec-reload-signal", execReloadSignal, b::execReloadSignal);
        flag("-exec-kill-signal", execKillSignal, b::execKillSignal);
        if (execKillTimeout != null) {
            b.execKillTimeout(duration("-exec-kill-timeout", execKillTimeout));
        }
        flag("-status-addr", statusAddr, b::statusAddr);
        if (templates.isEmpty() && configFiles.isEmpty()) {
            throw new UsageException("no template given: use -template SOURCE:DEST[:COMMAND] or -config FILE");
        }
        DaemonConfig c;
        try {
            c = b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (c.exec() == null && (execReloadSignal != null || execKillSignal != null || execKillTimeout != null)) {
            throw new UsageException("-exec-reload-signal, -exec-kill-signal and -exec-kill-timeout need -exec");
        }
        if (once && c.exec() != null) {
            throw new UsageException("-exec supervises a command while the daemon runs: it cannot be used with -once");
        }
        return c;
    }

    private static void flag(String name, String value, java.util.function.Consumer<String> apply) {
        if (value == null) {
            return;
        }
        try {
            apply.accept(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("Invalid " + name + " \"" + value + "\": " + e.getMessage());
        }
    }

    /**
     * slf4j-simple reads a logger's level when the logger is created: setting it here, before the
     * daemon's classes first log, takes effect for the run. (Loggers made earlier in the same JVM,
     * as in tests, keep theirs.)
     */
    private static void applyLogLevel(String level) {
        String simple = level.equals("err") ? "error" : level;
        System.setProperty("org.slf4j.simpleLogger.log.dev.cairn", simple);
    }

    /**
     * The server: {@code -http-addr}/{@code -consul-addr}, else the config's {@code consul.address},
     * else $CAIRN_HTTP_ADDR, $CONSUL_HTTP_ADDR, 127.0.0.1:8500.
     */
    private URI address(DaemonConfig config) {
        if (consulAddr != null && !consulAddr.isBlank()) {
            if (server.httpAddr != null && !server.httpAddr.isBlank()) {
                throw new UsageException("give -http-addr or -consul-addr, not both");
            }
            return ClientOptions.parseAddress(consulAddr.strip(), "-consul-addr");
        }
        if ((server.httpAddr == null || server.httpAddr.isBlank()) && config.consulAddress() != null) {
            return ClientOptions.parseAddress(config.consulAddress(), "consul.address");
        }
        return server.address();
    }

    /** {@code -token}, else the config's {@code consul.token}, else the environment's. */
    private String token(DaemonConfig config) {
        if (server.token != null && !server.token.isEmpty()) {
            return server.token;
        }
        return config.consulToken() != null ? config.consulToken() : server.token();
    }

    private static Duration duration(String flag, String text) {
        try {
            Duration d = GoDuration.parse(text);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new UsageException("Invalid " + flag + " \"" + text + "\": " + e.getMessage() + " (use e.g. 30s)");
        }
    }

    /** An octal mode such as {@code 0644} or {@code 640}. */
    static int mode(String text) {
        if (!text.matches("0?[0-7]{3}")) {
            throw new UsageException("Invalid -perms \"" + text + "\": expected an octal mode such as 0644");
        }
        return Integer.parseInt(text, 8);
    }

    /**
     * {@code env:} from {@link Io}'s environment (so tests can pass their own), {@code file:} from
     * disk. {@code DataSource.local} wants a Map and copies it, while Io only offers lookups.
     */
    private static DataSource local(Function<String, String> env) {
        DataSource files = DataSource.local(Map.of());
        return query -> {
            if (query.kind() != Query.Kind.ENV) {
                return files.get(query);
            }
            String value = env.apply(query.argument());
            return Optional.of(value == null ? List.of() : List.of(value));
        };
    }
}

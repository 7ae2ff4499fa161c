package dev.cairn.cli;

import dev.cairn.store.CairnServer;
import dev.cairn.store.ConfigFiles;
import dev.cairn.store.ServerConfig;
import dev.cairn.store.http.GoDuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code cairn server}: runs a server until SIGINT/SIGTERM. Flags win over config files. */
@Command(name = "server", description = "Run a Cairn server (KV store and HTTP API).")
final class ServerCommand implements Callable<Integer> {

    @Option(names = {"-dev", "--dev"}, description = "One node, data in a temp dir deleted on exit.")
    boolean dev;

    @Option(names = {"-data-dir", "--data-dir"}, paramLabel = "DIR", description = "Where the Raft log and snapshots live.")
    Path dataDir;

    @Option(names = {"-node", "--node"}, paramLabel = "NAME", description = "Node name (default: host name).")
    String node;

    @Option(names = {"-datacenter", "--datacenter"}, paramLabel = "DC", description = "Datacenter (default dc1).")
    String datacenter;

    @Option(names = {"-bind", "--bind"}, paramLabel = "ADDR", description = "Address for Raft (default 127.0.0.1).")
    String bind;

    @Option(names = {"-client", "--client"}, paramLabel = "ADDR", description = "Address for HTTP and DNS (default 127.0.0.1).")
    String client;

    @Option(names = {"-http-port", "--http-port"}, paramLabel = "N", description = "HTTP API port (default 8500, -1 disables).")
    Integer httpPort;

    @Option(names = {"-raft-port", "-server-port", "--raft-port"}, paramLabel = "N", description = "Raft port (default 8300).")
    Integer raftPort;

    @Option(names = {"-dns-port", "--dns-port"}, paramLabel = "N", description = "DNS port (default 8600, -1 disables).")
    Integer dnsPort;

    @Option(names = {"-bootstrap-expect", "--bootstrap-expect"}, paramLabel = "N", description = "Servers expected before bootstrapping.")
    Integer bootstrapExpect;

    @Option(names = {"-bootstrap", "--bootstrap"}, description = "Bootstrap a single-server cluster.")
    boolean bootstrap;

    @Option(names = {"-enable-script-checks", "--enable-script-checks"},
            description = "Allow checks that run commands (Args) to be registered over the API. Off by default: "
                    + "anyone who can reach the API could run commands as this server's user.")
    boolean enableScriptChecks;

    @Option(names = {"-join", "--join", "-retry-join"}, paramLabel = "HOST:PORT", description = "Another server's Raft address (repeatable).")
    List<String> join = new ArrayList<>();

    @Option(names = {"-config-file", "--config-file"}, paramLabel = "FILE", description = "JSON config file (repeatable).")
    List<Path> configFiles = new ArrayList<>();

    @Option(names = {"-config-dir", "--config-dir"}, paramLabel = "DIR", description = "Directory of *.json config files (repeatable).")
    List<Path> configDirs = new ArrayList<>();

    @Option(names = {"-snapshot-threshold", "--snapshot-threshold"}, paramLabel = "N",
            description = "Snapshot the store and purge the log behind it every N Raft entries (default 16384).")
    Long snapshotThreshold;

    /** Tests only, with -snapshot-threshold: small segments so that snapshots purge the log. */
    @Option(names = {"-raft-segment-size", "--raft-segment-size"}, hidden = true, paramLabel = "BYTES")
    Long raftSegmentSize;

    /** For tests: the shortest session TTL accepted (Go duration) instead of Consul's 10s. */
    @Option(names = {"-min-session-ttl", "--min-session-ttl"}, hidden = true, paramLabel = "DURATION")
    String minSessionTtl;

    /** For tests: how often services with long-critical checks are reaped (Go duration) instead of every 30s. */
    @Option(names = {"-check-reap-interval", "--check-reap-interval"}, hidden = true, paramLabel = "DURATION")
    String checkReapInterval;

    /** For tests: the floor under DeregisterCriticalServiceAfter (Go duration) instead of 1m. */
    @Option(names = {"-min-deregister-critical-after", "--min-deregister-critical-after"}, hidden = true,
            paramLabel = "DURATION")
    String minDeregisterCriticalAfter;

    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Override
    public Integer call() throws Exception {
        ServerConfig config = config();
        CairnServer server;
        try {
            server = CairnServer.start(config);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "cairn-shutdown"));
        System.out.println("cairn server ready: HTTP on " + config.clientAddr + ":" + server.httpPort()
                + (config.dev ? " (-dev: data is thrown away on exit)" : ""));
        System.out.flush();
        server.awaitStop();
        return 0;
    }

    ServerConfig config() throws Exception {
        ServerConfig c = new ServerConfig();
        try {
            for (Path f : ConfigFiles.expand(configFiles, configDirs)) {
                ConfigFiles.apply(f, c);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        c.dev |= dev;
        if (dataDir != null) {
            c.dataDir = dataDir;
        }
        if (node != null) {
            c.nodeName = node;
        }
        if (datacenter != null) {
            c.datacenter = datacenter;
        }
        if (bind != null) {
            c.bind = bind;
        }
        if (client != null) {
            c.clientAddr = client;
        }
        if (httpPort != null) {
            c.httpPort = httpPort;
        }
        if (raftPort != null) {
            c.raftPort = raftPort;
        }
        if (dnsPort != null) {
            c.dnsPort = dnsPort;
        }
        if (bootstrapExpect != null) {
            c.bootstrapExpect = bootstrapExpect;
        }
        c.bootstrap |= bootstrap;
        c.enableScriptChecks |= enableScriptChecks;
        if (snapshotThreshold != null) {
            c.snapshotThreshold = snapshotThreshold;
        }
        if (raftSegmentSize != null) {
            if (raftSegmentSize < 64 * 1024) {
                throw new UsageException("-raft-segment-size must be at least 65536, got " + raftSegmentSize);
            }
            c.logSegmentBytes = raftSegmentSize;
        }
        if (minSessionTtl != null) {
            c.minSessionTtl = duration("-min-session-ttl", minSessionTtl);
        }
        if (checkReapInterval != null) {
            c.checkReapInterval = duration("-check-reap-interval", checkReapInterval);
        }
        if (minDeregisterCriticalAfter != null) {
            c.minDeregisterCriticalAfter = duration("-min-deregister-critical-after", minDeregisterCriticalAfter);
        }
        c.join.addAll(join);
        try {
            c.validate();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return c;
    }

    private static Duration duration(String flag, String text) {
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("Invalid " + flag + " \"" + text + "\": " + e.getMessage() + " (use e.g. 1s)");
        }
    }
}

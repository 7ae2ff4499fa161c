package dev.cairn.store;

import dev.cairn.store.raft.RaftNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to run one server. Defaults follow Consul: HTTP 127.0.0.1:8500, DNS 8600, Raft 8300,
 * datacenter dc1. A port of -1 disables that listener (Raft then uses a free loopback port, which
 * only a lone server can do). Filled from config files first, then flags.
 */
public final class ServerConfig {

    public boolean dev;
    public Path dataDir;
    public String nodeName;
    public String datacenter = "dc1";
    public String bind = "127.0.0.1";
    public String clientAddr = "127.0.0.1";
    public int httpPort = 8500;
    public int raftPort = 8300;
    public int dnsPort = 8600;
    public int bootstrapExpect;
    public boolean bootstrap;
    public List<String> join = new ArrayList<>();
    /**
     * A snapshot (and a log purge behind it) every this many Raft entries: Consul's default
     * raft_snapshot_threshold. A restart replays the log since the last snapshot; with group
     * commit an entry carries up to 512 writes, and at the former 50,000 a server restarted after
     * 32,000 entries of heavy load took 10.6 s to serve again against 3.2-3.4 s (BENCHMARKS.md).
     */
    public long snapshotThreshold = 16_384;
    /** Raft log segment size; not a setting for users: tests lower it to make log purges happen. */
    public long logSegmentBytes = RaftNode.Log.DEFAULT_SEGMENT_BYTES;
    public long maxValueBytes = 512 * 1024;
    /** Script checks run commands on this server: off unless asked for, as in Consul. */
    public boolean enableScriptChecks;
    /**
     * Shortest session TTL accepted, Consul's 10 s. Not a flag or config-file setting: tests lower
     * it so that TTL expiry can be watched in seconds.
     */
    public java.time.Duration minSessionTtl = java.time.Duration.ofSeconds(10);
    /** How often services whose checks stay critical are reaped (Consul: 30 s); lowered by tests. */
    public java.time.Duration checkReapInterval = java.time.Duration.ofSeconds(30);
    /** The floor under a check's DeregisterCriticalServiceAfter (Consul: 1 min); lowered by tests. */
    public java.time.Duration minDeregisterCriticalAfter = java.time.Duration.ofMinutes(1);

    /** Fails fast with a message naming the bad value. */
    public void validate() {
        if (!dev && dataDir == null) {
            throw new IllegalArgumentException("-data-dir is required (or use -dev for a throwaway in-memory server)");
        }
        checkPort("-http-port", httpPort);
        checkPort("-raft-port", raftPort);
        checkPort("-dns-port", dnsPort);
        if (bootstrapExpect < 0) {
            throw new IllegalArgumentException("-bootstrap-expect must be 0 or more, got " + bootstrapExpect);
        }
        if (clustered()) {
            if (dev) {
                throw new IllegalArgumentException("-dev runs a lone in-memory server: it takes no -bootstrap-expect or -join");
            }
            if (bootstrap) {
                throw new IllegalArgumentException("-bootstrap starts a lone server: it cannot be combined with "
                        + "-bootstrap-expect " + bootstrapExpect + " or -join");
            }
            if (raftPort == -1) {
                throw new IllegalArgumentException("a cluster member needs a -raft-port the others can reach");
            }
            for (String address : join) {
                checkJoinAddress(address);
            }
        }
        if (datacenter == null || !datacenter.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("invalid datacenter name \"" + datacenter
                    + "\": use letters, digits, '-' and '_'");
        }
        if (nodeName != null && !nodeName.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("invalid node name \"" + nodeName
                    + "\": use letters, digits, '.', '-' and '_'");
        }
        if (snapshotThreshold < 1) {
            throw new IllegalArgumentException("-snapshot-threshold (raft_snapshot_threshold) must be at least 1, got "
                    + snapshotThreshold);
        }
        if (maxValueBytes <= 0) {
            throw new IllegalArgumentException("kv_max_value_size must be positive, got " + maxValueBytes);
        }
        if (checkReapInterval == null || checkReapInterval.isNegative() || checkReapInterval.isZero()) {
            throw new IllegalArgumentException("-check-reap-interval must be positive, got " + checkReapInterval);
        }
        if (minDeregisterCriticalAfter == null || minDeregisterCriticalAfter.isNegative()) {
            throw new IllegalArgumentException("-min-deregister-critical-after must not be negative, got "
                    + minDeregisterCriticalAfter);
        }
    }

    /** Whether this server is (or becomes) one of several: it waits for others instead of bootstrapping alone. */
    public boolean clustered() {
        return bootstrapExpect > 1 || !join.isEmpty();
    }

    private static void checkJoinAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || !address.substring(colon + 1).matches("[0-9]{1,5}")
                || Integer.parseInt(address.substring(colon + 1)) > 65535) {
            throw new IllegalArgumentException("-join takes another server's host:raft-port, got \"" + address + "\"");
        }
    }

    private static void checkPort(String flag, int port) {
        if (port != -1 && (port < 0 || port > 65535)) {
            throw new IllegalArgumentException(flag + " must be a port number (0-65535) or -1 to disable, got " + port);
        }
    }
}

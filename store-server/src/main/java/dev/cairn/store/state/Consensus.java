package dev.cairn.store.state;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What the HTTP API needs from Raft; {@code RaftNode} implements it over Apache Ratis. */
public interface Consensus {

    /** Proposes a command; completes with its result once applied, in order with other writes. */
    CompletableFuture<Object> submit(Command command);

    /** Completes once local state holds every write acknowledged before the call. */
    CompletableFuture<Void> readBarrier();

    boolean knownLeader();

    /** Whether this server is the Raft leader now (session TTL timers run on the leader only). */
    boolean isLeader();

    /** Milliseconds since the leader was last heard from; 0 on the leader. */
    long lastContactMillis();

    /** The leader's host:raft-port, if known. */
    Optional<String> leaderAddress();

    /**
     * Restarts a session's TTL on the leader, whose timers decide expiry (a renew may land on any
     * server); completes with whether the leader knows the session.
     */
    CompletableFuture<Boolean> renewOnLeader(String sessionId);

    /** Every voting server, as the Raft configuration lists them; empty before the cluster forms. */
    List<ClusterServer> servers();

    /**
     * Since this server started: the Raft entries it appended as leader (each carries one or more
     * writes: group commit), and the writes it forwarded to the leader as a follower.
     */
    default RaftCounters counters() {
        return new RaftCounters(0, 0);
    }

    record RaftCounters(long entriesAppended, long writesForwarded) {
    }

    /** Every voting server's host:raft-port. */
    default List<String> peerAddresses() {
        return servers().stream().map(ClusterServer::address).toList();
    }
}

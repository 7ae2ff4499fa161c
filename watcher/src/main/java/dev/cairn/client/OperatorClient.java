package dev.cairn.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Cluster membership: {@code /v1/operator/raft/*} and {@code /v1/agent/leave}. */
public final class OperatorClient {

    /** Membership changes wait for the cluster to commit them (and for a new server to start). */
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(60);

    private final CairnClient http;

    public OperatorClient(CairnClient http) {
        this.http = http;
    }

    /** One voting server, as {@code /v1/operator/raft/configuration} lists it. */
    public record RaftServer(String id, String node, String address, boolean leader, boolean voter) {
    }

    public List<RaftServer> raftConfiguration() {
        List<RaftServer> out = new ArrayList<>();
        http.get("/v1/operator/raft/configuration", null).ok().json().path("Servers").forEach(s -> out.add(
                new RaftServer(s.path("ID").asText(), s.path("Node").asText(), s.path("Address").asText(),
                        s.path("Leader").asBoolean(), s.path("Voter").asBoolean())));
        return out;
    }

    /** Adds the server listening on {@code address} (host:raft-port), which must belong to no cluster yet. */
    public void addPeer(String address) {
        http.call("POST", "/v1/operator/raft/peer", query("address", address), new byte[0], CHANGE_TIMEOUT).ok();
    }

    /** Removes a server by its id (node name) or, when {@code byAddress}, its host:raft-port. */
    public void removePeer(String idOrAddress, boolean byAddress) {
        http.call("DELETE", "/v1/operator/raft/peer", query(byAddress ? "address" : "id", idOrAddress), null,
                CHANGE_TIMEOUT).ok();
    }

    /** The server answering leaves the cluster gracefully and stops. */
    public void leave() {
        http.call("PUT", "/v1/agent/leave", null, new byte[0], CHANGE_TIMEOUT).ok();
    }

    private static Map<String, String> query(String name, String value) {
        Map<String, String> q = CairnClient.query();
        q.put(name, value);
        return q;
    }
}

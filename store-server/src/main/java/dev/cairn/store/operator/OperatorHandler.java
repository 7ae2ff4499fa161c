package dev.cairn.store.operator;

import dev.cairn.store.http.ApiContext;
import dev.cairn.store.http.ApiException;
import dev.cairn.store.http.Async;
import dev.cairn.store.http.Params;
import dev.cairn.store.http.QueryOptions;
import dev.cairn.store.http.Responses;
import dev.cairn.store.http.Route;
import dev.cairn.store.raft.RaftNode;
import dev.cairn.store.state.ClusterServer;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Cluster membership over HTTP, as Consul's operator API: {@code GET /v1/operator/raft/configuration}
 * lists the voting servers, {@code DELETE /v1/operator/raft/peer?id=|address=} removes one; and
 * Cairn's addition {@code POST /v1/operator/raft/peer?address=host:raft-port} adds a running
 * server that belongs to no cluster yet. {@code PUT /v1/agent/leave} makes this server leave
 * gracefully and stop.
 */
public final class OperatorHandler {

    /** What {@code /v1/agent/leave} runs: leave the cluster, then stop the process. */
    @FunctionalInterface
    public interface Leave {
        void leave() throws IOException;
    }

    private final ApiContext ctx;
    private final RaftNode raft;
    private final Leave leave;
    // membership changes wait for the cluster to commit them: off the I/O threads
    private final ExecutorService changes = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cairn-operator");
        t.setDaemon(true);
        return t;
    });

    public OperatorHandler(ApiContext ctx, RaftNode raft, Leave leave) {
        this.ctx = ctx;
        this.raft = raft;
        this.leave = leave;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/v1/operator/raft/configuration", (ex, rest) -> configuration(ex)),
                new Route("/v1/operator/raft/peer", Set.of("DELETE", "POST", "PUT"), (ex, rest) -> peer(ex)),
                Route.put("/v1/agent/leave", (ex, rest) -> run(ex, () -> {
                    leave.leave();
                    return true;
                })));
    }

    private void configuration(HttpServerExchange ex) {
        QueryOptions.checkDatacenter(ex.getQueryParameters(), ctx.datacenter());
        List<ClusterServer> servers = ctx.consensus().servers();
        if (servers.isEmpty()) {
            throw new ApiException(500, "No cluster leader: this server is not a member of a cluster yet");
        }
        // the first configuration is not a log entry (index 0 or -1); clients read Index as unsigned
        long index = Math.max(1, raft.configurationIndex());
        Responses.sendJson(ex, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("Servers");
            for (ClusterServer s : servers) {
                g.writeStartObject();
                g.writeStringField("ID", s.id());
                g.writeStringField("Node", s.id());
                g.writeStringField("Address", s.address());
                g.writeBooleanField("Leader", s.leader());
                g.writeStringField("ProtocolVersion", "3");
                g.writeBooleanField("Voter", true);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("Index", index);
            g.writeEndObject();
        });
    }

    private void peer(HttpServerExchange ex) {
        QueryOptions.checkDatacenter(ex.getQueryParameters(), ctx.datacenter());
        String id = Params.first(ex.getQueryParameters(), "id");
        String address = Params.first(ex.getQueryParameters(), "address");
        if (ex.getRequestMethod().toString().equals("DELETE")) {
            String target = id != null && !id.isEmpty() ? id : address;
            if (target == null || target.isEmpty()) {
                throw ApiException.badRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove");
            }
            run(ex, () -> {
                if (!raft.removeServer(target)) {
                    throw new ApiException(404, "server \"" + target + "\" was not found in the Raft configuration");
                }
                return true;
            });
            return;
        }
        if (address == null || !address.matches(".+:[0-9]{1,5}")) {
            throw ApiException.badRequest("Must specify ?address with the new server's host:raft-port");
        }
        run(ex, () -> {
            RaftNode.Peer peer;
            try {
                peer = raft.identify(address);
            } catch (IOException e) {
                throw new ApiException(400, "cannot add " + address + ": " + e.getMessage());
            }
            raft.addServer(peer);
            return true;
        });
    }

    @FunctionalInterface
    private interface Change {
        boolean run() throws IOException;
    }

    /** Runs a membership change off the I/O thread and answers {@code true}, or its error. */
    private void run(HttpServerExchange ex, Change change) {
        CompletableFuture<Boolean> done = CompletableFuture.supplyAsync(() -> {
            try {
                return change.run();
            } catch (IOException e) {
                throw new CompletionException(new ApiException(500, e.getMessage()));
            }
        }, changes);
        ex.dispatch(SameThreadExecutor.INSTANCE, () -> Async.answer(ex, done, ok -> Responses.sendBoolean(ex, ok)));
    }
}

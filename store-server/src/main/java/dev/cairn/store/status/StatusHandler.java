package dev.cairn.store.status;

import dev.cairn.store.http.ApiContext;
import dev.cairn.store.http.Responses;
import dev.cairn.store.http.Route;

import java.util.List;

/** {@code /v1/status/leader} and {@code /v1/status/peers}: servers as host:raft-port, like Consul's RPC addresses. */
public final class StatusHandler {

    private final ApiContext ctx;

    public StatusHandler(ApiContext ctx) {
        this.ctx = ctx;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/v1/status/leader", (ex, rest) -> Responses.sendJson(ex,
                        g -> g.writeString(ctx.consensus().leaderAddress().orElse("")))),
                Route.get("/v1/status/peers", (ex, rest) -> Responses.sendJson(ex, g -> {
                    g.writeStartArray();
                    for (String p : ctx.consensus().peerAddresses()) {
                        g.writeString(p);
                    }
                    g.writeEndArray();
                })));
    }
}

package dev.cairn.store.session;

import dev.cairn.store.http.ApiContext;
import dev.cairn.store.http.ApiException;
import dev.cairn.store.http.Async;
import dev.cairn.store.http.BlockingQuery;
import dev.cairn.store.http.QueryOptions;
import dev.cairn.store.http.RequestJson;
import dev.cairn.store.http.Responses;
import dev.cairn.store.http.Route;
import dev.cairn.store.http.WatchHub;
import dev.cairn.store.state.Command;
import dev.cairn.store.state.WatchKeys;
import io.undertow.server.HttpServerExchange;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code /v1/session/*} as in Consul: create, destroy and renew (PUT), and the blocking reads
 * info, list and node (GET). Create and destroy go through Raft; renew restarts the leader's
 * TTL timer and changes no replicated state.
 */
public final class SessionHandler {

    static final long MAX_BODY_BYTES = 64 * 1024;

    private final ApiContext ctx;
    private final SessionTimers timers;
    private final Duration minTtl;

    /** @param minTtl the shortest TTL accepted: Consul's 10 s, lower only in tests */
    public SessionHandler(ApiContext ctx, SessionTimers timers, Duration minTtl) {
        this.ctx = ctx;
        this.timers = timers;
        this.minTtl = minTtl;
    }

    public List<Route> routes() {
        return List.of(
                Route.put("/v1/session/create", (ex, rest) -> create(ex)),
                Route.put("/v1/session/destroy/", this::destroy),
                Route.put("/v1/session/renew/", this::renew),
                Route.get("/v1/session/info/", (ex, id) -> {
                    requireId(id);
                    read(ex, () -> ctx.state().sessions().info(id));
                }),
                Route.get("/v1/session/node/", (ex, node) -> {
                    if (node.isEmpty()) {
                        throw ApiException.badRequest("Missing node name");
                    }
                    read(ex, () -> ctx.state().sessions().onNode(node));
                }),
                Route.get("/v1/session/list", (ex, rest) -> read(ex, () -> ctx.state().sessions().list())));
    }

    private void create(HttpServerExchange ex) {
        QueryOptions.checkDatacenter(ex.getQueryParameters(), ctx.datacenter());
        Async.readBody(ex, MAX_BODY_BYTES, "Session", (e, body) -> {
            Session s = NewSession.parse(RequestJson.parse(body, true), UUID.randomUUID().toString(),
                    ctx.nodeName(), minTtl);
            Async.answer(e, ctx.consensus().submit(new Command.Session(new SessionCommand.Create(s))), r -> {
                SessionCommand.Result result = (SessionCommand.Result) r;
                if (!result.ok()) {
                    throw ApiException.badRequest(result.error());
                }
                Responses.sendJson(e, g -> {
                    g.writeStartObject();
                    g.writeStringField("ID", s.id());
                    g.writeEndObject();
                });
            });
        });
    }

    private void destroy(HttpServerExchange ex, String id) {
        QueryOptions.checkDatacenter(ex.getQueryParameters(), ctx.datacenter());
        requireId(id);
        ex.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE, () -> Async.answer(ex,
                ctx.consensus().submit(new Command.Session(new SessionCommand.Destroy(id))),
                r -> Responses.sendBoolean(ex, true)));
    }

    private void renew(HttpServerExchange ex, String id) {
        QueryOptions.checkDatacenter(ex.getQueryParameters(), ctx.datacenter());
        requireId(id);
        // after the read barrier this server has applied every create acknowledged so far; the TTL
        // itself is the leader's to restart, so a follower passes the renew on to it
        ex.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE, () -> Async.answer(ex,
                ctx.consensus().readBarrier().thenCompose(x -> {
                    Session s = timers.renew(id);
                    if (s == null) {
                        throw new ApiException(404, "Session id '" + id + "' not found");
                    }
                    return ctx.consensus().isLeader() ? CompletableFuture.completedFuture(s)
                            : ctx.consensus().renewOnLeader(id).thenApply(known -> s);
                }),
                s -> Responses.sendJson(ex, g -> SessionJson.writeAll(g, List.of(s)))));
    }

    private void read(HttpServerExchange ex, Supplier<SessionState.Read<List<Session>>> query) {
        QueryOptions options = QueryOptions.parse(ex, ctx.datacenter());
        BlockingQuery.serve(ex, ctx, options, WatchHub.Spec.key(WatchKeys.SESSIONS), () -> {
            SessionState.Read<List<Session>> read = query.get();
            return new BlockingQuery.Answer(read.index(), e -> Responses.sendJson(e,
                    g -> SessionJson.writeAll(g, read.value())));
        });
    }

    private static void requireId(String id) {
        if (id.isEmpty()) {
            throw ApiException.badRequest("Missing session");
        }
    }
}

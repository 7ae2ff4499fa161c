package dev.cairn.store.agent;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.CatalogHandler;
import dev.cairn.store.catalog.CatalogJson;
import dev.cairn.store.catalog.CatalogState;
import dev.cairn.store.catalog.CheckDefinition;
import dev.cairn.store.catalog.HealthCheck;
import dev.cairn.store.catalog.Registrations;
import dev.cairn.store.catalog.ServiceInstance;
import dev.cairn.store.http.ApiContext;
import dev.cairn.store.state.ClusterServer;
import dev.cairn.store.http.ApiException;
import dev.cairn.store.http.Async;
import dev.cairn.store.http.BlockingQuery;
import dev.cairn.store.http.Params;
import dev.cairn.store.http.QueryOptions;
import dev.cairn.store.http.RequestJson;
import dev.cairn.store.http.Responses;
import dev.cairn.store.http.Route;
import dev.cairn.store.http.WatchHub;
import dev.cairn.store.state.WatchKeys;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code /v1/agent/*}: this server acting as the local agent of its own catalog node. Services
 * and checks registered here go through Raft like any catalog change; the server then runs the
 * checks (see the health package).
 */
public final class AgentHandler {

    static final long MAX_BODY_BYTES = 1 << 20;
    private static final String MAINTENANCE_DEFAULT =
            "Maintenance mode is enabled for this service, but no reason was provided. This is a default message.";

    private final ApiContext ctx;
    private final TtlListener ttl;
    private final String version;
    private final boolean scriptChecks;

    public AgentHandler(ApiContext ctx, TtlListener ttl, String version, boolean scriptChecks) {
        this.ctx = ctx;
        this.ttl = ttl;
        this.version = version;
        this.scriptChecks = scriptChecks;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/v1/agent/self", (ex, rest) -> Responses.sendJson(ex, g -> AgentJson.self(g, ctx, version))),
                Route.get("/v1/agent/members", (ex, rest) -> Responses.sendJson(ex, g -> {
                    g.writeStartArray();
                    for (ClusterServer server : ctx.consensus().servers()) {
                        AgentJson.member(g, ctx, server, version);
                    }
                    g.writeEndArray();
                })),
                Route.get("/v1/agent/metrics", (ex, rest) -> Responses.sendJson(ex, g -> AgentJson.metrics(g, ctx))),
                Route.get("/v1/agent/services", (ex, rest) -> services(ex)),
                Route.get("/v1/agent/checks", (ex, rest) -> checks(ex)),
                Route.get("/v1/agent/service/", this::service),
                Route.put("/v1/agent/service/register", (ex, rest) -> registerService(ex)),
                Route.put("/v1/agent/service/deregister/", (ex, id) -> submit(ex,
                        new CatalogCommand.Deregister(ctx.nodeName(), required(id, "service ID"), ""))),
                Route.put("/v1/agent/service/maintenance/", this::serviceMaintenance),
                Route.put("/v1/agent/maintenance", (ex, rest) -> nodeMaintenance(ex)),
                Route.put("/v1/agent/check/register", (ex, rest) -> registerCheck(ex)),
                Route.put("/v1/agent/check/deregister/", (ex, id) -> submit(ex,
                        new CatalogCommand.Deregister(ctx.nodeName(), "", required(id, "check ID")))),
                Route.put("/v1/agent/check/pass/", (ex, id) -> ttlUpdate(ex, id, HealthCheck.PASSING, note(ex))),
                Route.put("/v1/agent/check/warn/", (ex, id) -> ttlUpdate(ex, id, HealthCheck.WARNING, note(ex))),
                Route.put("/v1/agent/check/fail/", (ex, id) -> ttlUpdate(ex, id, HealthCheck.CRITICAL, note(ex))),
                Route.put("/v1/agent/check/update/", this::checkUpdate));
    }

    private static String required(String value, String what) {
        if (value.isEmpty()) {
            throw ApiException.badRequest("Missing " + what);
        }
        return value;
    }

    private static String note(HttpServerExchange ex) {
        String note = Params.first(ex.getQueryParameters(), "note");
        return note == null ? "" : note;
    }

    private void submit(HttpServerExchange ex, CatalogCommand cmd) {
        ex.dispatch(SameThreadExecutor.INSTANCE, () -> CatalogHandler.propose(ex, ctx, cmd, false));
    }

    // ---------------------------------------------------------------- reads

    private void services(HttpServerExchange ex) {
        CatalogState.Read<CatalogState.NodeServices> read = ctx.state().catalog().node(ctx.nodeName());
        Responses.sendJson(ex, g -> {
            g.writeStartObject();
            if (read.value() != null) {
                for (ServiceInstance s : read.value().services()) {
                    g.writeFieldName(s.id());
                    CatalogJson.agentService(g, s, ctx.datacenter());
                }
            }
            g.writeEndObject();
        });
    }

    private void checks(HttpServerExchange ex) {
        List<HealthCheck> checks = ctx.state().catalog().nodeChecks(ctx.nodeName());
        Responses.sendJson(ex, g -> {
            g.writeStartObject();
            for (HealthCheck c : checks) {
                g.writeFieldName(c.checkId());
                CatalogJson.check(g, c);
            }
            g.writeEndObject();
        });
    }

    /** One service with its ContentHash; {@code ?hash=H} blocks until the hash would change. */
    private void service(HttpServerExchange ex, String id) {
        required(id, "service ID");
        QueryOptions parsed = QueryOptions.parse(ex, ctx.datacenter());
        String hash = Params.first(ex.getQueryParameters(), "hash");
        long index = ctx.state().catalog().index(WatchKeys.catalogNode(ctx.nodeName()));
        boolean block = hash != null && !hash.isEmpty() && hash.equals(contentHash(id));
        QueryOptions options = new QueryOptions(block ? index : 0, parsed.waitTime(), parsed.consistency());
        BlockingQuery.serve(ex, ctx, options, WatchHub.Spec.key(WatchKeys.catalogNode(ctx.nodeName())), () -> {
            ServiceInstance s = ctx.state().catalog().serviceInstance(ctx.nodeName(), id);
            long now = ctx.state().catalog().index(WatchKeys.catalogNode(ctx.nodeName()));
            // an unrelated change on this node does not change this service's hash: keep waiting
            long reported = block && s != null && hash.equals(contentHash(id)) ? index : now;
            return new BlockingQuery.Answer(reported, e -> {
                if (s == null) {
                    Responses.sendText(e, 404, "unknown service ID: " + id);
                    return;
                }
                e.getResponseHeaders().put(new io.undertow.util.HttpString("X-Consul-ContentHash"), contentHash(id));
                Responses.sendJson(e, g -> CatalogJson.agentService(g, s, ctx.datacenter(), contentHash(id)));
            });
        });
    }

    private String contentHash(String id) {
        ServiceInstance s = ctx.state().catalog().serviceInstance(ctx.nodeName(), id);
        if (s == null) {
            return "";
        }
        byte[] json = Responses.json(null, g -> CatalogJson.agentService(g, s.withoutIndexes(), ctx.datacenter()));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- writes

    private void registerService(HttpServerExchange ex) {
        boolean replace = replaceExisting(ex);
        Async.readBody(ex, MAX_BODY_BYTES, "Service registration", (e, body) -> {
            CatalogCommand.Register cmd = Registrations.agentService(RequestJson.parse(body, false),
                    SelfNode.node(ctx), replace, scriptChecks);
            CatalogHandler.propose(e, ctx, cmd, false);
        });
    }

    /** {@code replace-existing-checks} counts only when empty or "true", as in Consul. */
    private static boolean replaceExisting(HttpServerExchange ex) {
        String v = Params.first(ex.getQueryParameters(), "replace-existing-checks");
        return v != null && (v.isEmpty() || v.equals("true"));
    }

    private void registerCheck(HttpServerExchange ex) {
        Async.readBody(ex, MAX_BODY_BYTES, "Check registration", (e, body) ->
                CatalogHandler.propose(e, ctx, Registrations.agentCheck(RequestJson.parse(body, false), SelfNode.node(ctx), scriptChecks), false));
    }

    private void ttlUpdate(HttpServerExchange ex, String id, String status, String output) {
        HealthCheck c = ctx.state().catalog().check(ctx.nodeName(), required(id, "check ID"));
        if (c == null) {
            throw new ApiException(404, "Unknown check ID \"" + id + "\"");
        }
        if (!c.definition().type().equals("ttl")) {
            throw ApiException.badRequest("Check \"" + id + "\" is not a TTL check; only TTL checks take updates");
        }
        ttl.heartbeat(id);
        submit(ex, new CatalogCommand.UpdateCheck(ctx.nodeName(), id, status, output));
    }

    private void checkUpdate(HttpServerExchange ex, String id) {
        Async.readBody(ex, MAX_BODY_BYTES, "Check update", (e, body) -> {
            RequestJson req = RequestJson.parse(body, false);
            String status = req.text("Status");
            if (!HealthCheck.validStatus(status)) {
                throw ApiException.badRequest("Invalid check status: '" + status + "'");
            }
            ttlUpdate(e, id, status, req.text("Output"));
        });
    }

    private void serviceMaintenance(HttpServerExchange ex, String id) {
        boolean enable = enableFlag(ex);
        required(id, "service ID");
        ServiceInstance s = ctx.state().catalog().serviceInstance(ctx.nodeName(), id);
        if (s == null) {
            throw new ApiException(404, "Unknown service ID \"" + id + "\"");
        }
        String checkId = "_service_maintenance:" + id;
        if (enable) {
            HealthCheck c = new HealthCheck(ctx.nodeName(), checkId, "Service Maintenance Mode", HealthCheck.CRITICAL,
                    reason(ex), "", id, s.service(), s.tags(), CheckDefinition.NONE, 0, 0);
            submit(ex, new CatalogCommand.Register(SelfNode.node(ctx), null, List.of(c), true, false));
        } else {
            submit(ex, new CatalogCommand.Deregister(ctx.nodeName(), "", checkId));
        }
    }

    private void nodeMaintenance(HttpServerExchange ex) {
        boolean enable = enableFlag(ex);
        if (enable) {
            HealthCheck c = new HealthCheck(ctx.nodeName(), "_node_maintenance", "Node Maintenance Mode",
                    HealthCheck.CRITICAL, reason(ex).replace("this service", "this node"), "", "", "", List.of(),
                    CheckDefinition.NONE, 0, 0);
            submit(ex, new CatalogCommand.Register(SelfNode.node(ctx), null, List.of(c), true, false));
        } else {
            submit(ex, new CatalogCommand.Deregister(ctx.nodeName(), "", "_node_maintenance"));
        }
    }

    private static String reason(HttpServerExchange ex) {
        String r = Params.first(ex.getQueryParameters(), "reason");
        return r == null || r.isEmpty() ? MAINTENANCE_DEFAULT : r;
    }

    /** {@code enable} must be present and a Go boolean. */
    private static boolean enableFlag(HttpServerExchange ex) {
        String v = Params.first(ex.getQueryParameters(), "enable");
        if (v == null) {
            throw ApiException.badRequest("Missing value for enable");
        }
        return switch (v) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw ApiException.badRequest("Invalid value for enable: \"" + v + "\"");
        };
    }

}

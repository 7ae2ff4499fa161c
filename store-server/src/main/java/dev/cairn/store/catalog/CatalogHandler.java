package dev.cairn.store.catalog;

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

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /v1/catalog/*}: register/deregister and the blocking catalog reads. */
public final class CatalogHandler {

    static final long MAX_BODY_BYTES = 1 << 20;

    private final ApiContext ctx;

    public CatalogHandler(ApiContext ctx) {
        this.ctx = ctx;
    }

    public List<Route> routes() {
        return List.of(
                Route.put("/v1/catalog/register", (ex, rest) -> register(ex)),
                Route.put("/v1/catalog/deregister", (ex, rest) -> deregister(ex)),
                Route.get("/v1/catalog/datacenters", (ex, rest) -> Responses.sendJson(ex, g -> {
                    g.writeStartArray();
                    g.writeString(ctx.datacenter());
                    g.writeEndArray();
                })),
                Route.get("/v1/catalog/nodes", (ex, rest) -> nodes(ex)),
                Route.get("/v1/catalog/services", (ex, rest) -> services(ex)),
                Route.get("/v1/catalog/service/", this::service),
                Route.get("/v1/catalog/node/", this::node));
    }

    // ---------------------------------------------------------------- writes

    private void register(HttpServerExchange ex) {
        QueryOptions.checkDatacenter(ex.getQueryParameters(), ctx.datacenter());
        Async.readBody(ex, MAX_BODY_BYTES, "Registration", (e, body) -> {
            CatalogCommand.Register cmd = Registrations.catalogRegister(RequestJson.parse(body, false), ctx.datacenter());
            submit(e, cmd, true);
        });
    }

    private void deregister(HttpServerExchange ex) {
        QueryOptions.checkDatacenter(ex.getQueryParameters(), ctx.datacenter());
        Async.readBody(ex, MAX_BODY_BYTES, "Deregistration", (e, body) -> {
            RequestJson req = RequestJson.parse(body, false);
            String node = req.text("Node");
            if (node.isEmpty()) {
                throw ApiException.badRequest("Missing node name");
            }
            submit(e, new CatalogCommand.Deregister(node, req.text("ServiceID"), req.text("CheckID")), true);
        });
    }

    /** Proposes a catalog command and answers {@code true} (catalog) or an empty 200 (agent). */
    public static void propose(HttpServerExchange ex, ApiContext ctx, CatalogCommand cmd, boolean answerTrue) {
        Async.answer(ex, ctx.consensus().submit(new Command.Catalog(cmd)), r -> {
            CatalogCommand.Result result = (CatalogCommand.Result) r;
            if (!result.ok()) {
                throw ApiException.badRequest(result.error());
            }
            if (answerTrue) {
                Responses.sendBoolean(ex, true);
            } else {
                Responses.sendEmpty(ex, 200);
            }
        });
    }

    private void submit(HttpServerExchange ex, CatalogCommand cmd, boolean answerTrue) {
        propose(ex, ctx, cmd, answerTrue);
    }

    // ---------------------------------------------------------------- reads

    private void nodes(HttpServerExchange ex) {
        QueryOptions options = QueryOptions.parse(ex, ctx.datacenter());
        Map<String, String> meta = Filters.nodeMeta(ex.getQueryParameters());
        BlockingQuery.serve(ex, ctx, options, WatchHub.Spec.key(WatchKeys.CATALOG_NODES), () -> {
            CatalogState.Read<List<Node>> read = ctx.state().catalog().nodes();
            return new BlockingQuery.Answer(read.index(), e -> Responses.sendJson(e, g -> {
                g.writeStartArray();
                for (Node n : read.value()) {
                    if (Filters.hasMeta(n, meta)) {
                        CatalogJson.node(g, n);
                    }
                }
                g.writeEndArray();
            }));
        });
    }

    private void services(HttpServerExchange ex) {
        QueryOptions options = QueryOptions.parse(ex, ctx.datacenter());
        BlockingQuery.serve(ex, ctx, options, WatchHub.Spec.key(WatchKeys.CATALOG_SERVICES), () -> {
            CatalogState.Read<Map<String, Set<String>>> read = ctx.state().catalog().services();
            return new BlockingQuery.Answer(read.index(), e -> Responses.sendJson(e, g -> {
                g.writeStartObject();
                for (Map.Entry<String, Set<String>> s : read.value().entrySet()) {
                    CatalogJson.strings(g, s.getKey(), new ArrayList<>(s.getValue()));
                }
                g.writeEndObject();
            }));
        });
    }

    private void service(HttpServerExchange ex, String name) {
        QueryOptions options = QueryOptions.parse(ex, ctx.datacenter());
        if (name.isEmpty()) {
            throw ApiException.badRequest("Missing service name");
        }
        Map<String, Deque<String>> q = ex.getQueryParameters();
        List<String> tags = Filters.tags(q);
        Map<String, String> meta = Filters.nodeMeta(q);
        BlockingQuery.serve(ex, ctx, options, WatchHub.Spec.key(WatchKeys.catalogService(name)), () -> {
            CatalogState.Read<List<CatalogState.ServiceEntry>> read = ctx.state().catalog().service(name);
            return new BlockingQuery.Answer(read.index(), e -> Responses.sendJson(e, g -> {
                g.writeStartArray();
                for (CatalogState.ServiceEntry s : read.value()) {
                    if (Filters.hasTags(s.service(), tags) && Filters.hasMeta(s.node(), meta)) {
                        CatalogJson.catalogService(g, s.node(), s.service());
                    }
                }
                g.writeEndArray();
            }));
        });
    }

    private void node(HttpServerExchange ex, String name) {
        QueryOptions options = QueryOptions.parse(ex, ctx.datacenter());
        if (name.isEmpty()) {
            throw ApiException.badRequest("Missing node name");
        }
        BlockingQuery.serve(ex, ctx, options, WatchHub.Spec.key(WatchKeys.catalogNode(name)), () -> {
            CatalogState.Read<CatalogState.NodeServices> read = ctx.state().catalog().node(name);
            return new BlockingQuery.Answer(read.index(), e -> Responses.sendJson(e, g -> {
                if (read.value() == null) {
                    g.writeNull();
                    return;
                }
                g.writeStartObject();
                g.writeFieldName("Node");
                CatalogJson.node(g, read.value().node());
                g.writeObjectFieldStart("Services");
                for (ServiceInstance s : read.value().services()) {
                    g.writeFieldName(s.id());
                    CatalogJson.agentService(g, s, null);
                }
                g.writeEndObject();
                g.writeEndObject();
            }));
        });
    }
}

package dev.cairn.store.catalog;

import dev.cairn.store.http.ApiContext;
import dev.cairn.store.http.ApiException;
import dev.cairn.store.http.BlockingQuery;
import dev.cairn.store.http.QueryOptions;
import dev.cairn.store.http.Responses;
import dev.cairn.store.http.Route;
import dev.cairn.store.http.WatchHub;
import dev.cairn.store.state.WatchKeys;
import io.undertow.server.HttpServerExchange;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** {@code /v1/health/*}: service entries with their checks, and checks by service, node and state. */
public final class HealthHandler {

    private static final Set<String> STATES = Set.of("any", HealthCheck.PASSING, HealthCheck.WARNING, HealthCheck.CRITICAL);

    private final ApiContext ctx;

    public HealthHandler(ApiContext ctx) {
        this.ctx = ctx;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/v1/health/service/", this::service),
                Route.get("/v1/health/checks/", (ex, name) -> checks(ex, name, WatchKeys.catalogService(name),
                        () -> ctx.state().catalog().checksOfService(name))),
                Route.get("/v1/health/node/", (ex, name) -> checks(ex, name, WatchKeys.catalogNode(name),
                        () -> ctx.state().catalog().checksOfNode(name))),
                Route.get("/v1/health/state/", (ex, state) -> {
                    if (!STATES.contains(state)) {
                        throw ApiException.badRequest("Invalid check state \"" + state
                                + "\": use any, passing, warning or critical");
                    }
                    checks(ex, state, WatchKeys.CATALOG_CHECKS, () -> ctx.state().catalog().checksInState(state));
                }));
    }

    private void service(HttpServerExchange ex, String name) {
        QueryOptions options = QueryOptions.parse(ex, ctx.datacenter());
        if (name.isEmpty()) {
            throw ApiException.badRequest("Missing service name");
        }
        List<String> tags = Filters.tags(ex.getQueryParameters());
        Map<String, String> meta = Filters.nodeMeta(ex.getQueryParameters());
        boolean passingOnly = Filters.passing(ex.getQueryParameters());
        BlockingQuery.serve(ex, ctx, options, WatchHub.Spec.key(WatchKeys.catalogService(name)), () -> {
            CatalogState.Read<List<CatalogState.ServiceEntry>> read = ctx.state().catalog().service(name);
            return new BlockingQuery.Answer(read.index(), e -> Responses.sendJson(e, g -> {
                g.writeStartArray();
                for (CatalogState.ServiceEntry s : read.value()) {
                    if (!Filters.hasTags(s.service(), tags) || !Filters.hasMeta(s.node(), meta)) {
                        continue;
                    }
                    // Consul's filterNonPassing: any check not passing drops the entry, node checks included
                    if (passingOnly && s.checks().stream().anyMatch(c -> !c.status().equals(HealthCheck.PASSING))) {
                        continue;
                    }
                    g.writeStartObject();
                    g.writeFieldName("Node");
                    CatalogJson.node(g, s.node());
                    g.writeFieldName("Service");
                    CatalogJson.agentService(g, s.service(), null);
                    g.writeArrayFieldStart("Checks");
                    for (HealthCheck c : s.checks()) {
                        CatalogJson.check(g, c);
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
            }));
        });
    }

    private void checks(HttpServerExchange ex, String name, String watchKey,
                        Supplier<CatalogState.Read<List<HealthCheck>>> read) {
        QueryOptions options = QueryOptions.parse(ex, ctx.datacenter());
        if (name.isEmpty()) {
            throw ApiException.badRequest("Missing name");
        }
        BlockingQuery.serve(ex, ctx, options, WatchHub.Spec.key(watchKey), () -> {
            CatalogState.Read<List<HealthCheck>> r = read.get();
            return new BlockingQuery.Answer(r.index(), e -> Responses.sendJson(e, g -> {
                g.writeStartArray();
                for (HealthCheck c : r.value()) {
                    CatalogJson.check(g, c);
                }
                g.writeEndArray();
            }));
        });
    }
}

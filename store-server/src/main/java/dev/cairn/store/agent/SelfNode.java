package dev.cairn.store.agent;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.CheckDefinition;
import dev.cairn.store.catalog.HealthCheck;
import dev.cairn.store.catalog.Node;
import dev.cairn.store.http.ApiContext;

import java.util.List;
import java.util.Map;

/**
 * This server as a catalog node. Every server registers itself with a passing {@code serfHealth}
 * check, as a Consul agent does, because clients' default sessions name that check.
 */
public final class SelfNode {

    public static final String SERF_HEALTH = "serfHealth";

    private SelfNode() {
    }

    public static Node node(ApiContext ctx) {
        String a = ctx.nodeAddress();
        return new Node(ctx.nodeId(), ctx.nodeName(), a, ctx.datacenter(),
                Map.of("lan", a, "lan_ipv4", a, "wan", a, "wan_ipv4", a), Map.of(), 0, 0);
    }

    public static CatalogCommand.Register registration(ApiContext ctx) {
        HealthCheck serf = new HealthCheck(ctx.nodeName(), SERF_HEALTH, "Serf Health Status", HealthCheck.PASSING, "",
                "Agent alive and reachable", "", "", List.of(), CheckDefinition.NONE, 0, 0);
        return new CatalogCommand.Register(node(ctx), null, List.of(serf), false, false);
    }
}

package dev.cairn.store.health;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.CheckDefinition;
import dev.cairn.store.catalog.HealthCheck;
import dev.cairn.store.catalog.Node;
import dev.cairn.store.catalog.ServiceInstance;
import dev.cairn.store.http.ApiContext;
import dev.cairn.store.http.WatchHub;
import dev.cairn.store.state.Command;
import dev.cairn.store.state.DirectConsensus;
import dev.cairn.store.state.StoreState;

import java.util.List;
import java.util.Map;

/** State, watch hub and stub Raft for node n1, as a server wires them, without Raft or HTTP. */
final class HealthFixture {

    static final String NODE = "n1";
    static final Node N1 = new Node("node-id", NODE, "127.0.0.1", "dc1", null, null, 0, 0);

    final StoreState state = new StoreState();
    final WatchHub hub = new WatchHub();
    final DirectConsensus raft = new DirectConsensus(state);
    final ApiContext ctx = new ApiContext(state, raft, hub, "dc1", NODE, "node-id", "127.0.0.1", 1 << 20);

    HealthFixture() {
        state.listener(hub);
        propose(new CatalogCommand.Register(N1, null, List.of(), false, false));
    }

    void propose(CatalogCommand command) {
        CatalogCommand.Result r = (CatalogCommand.Result) raft.submit(new Command.Catalog(command)).join();
        if (!r.ok()) {
            throw new IllegalStateException(r.error());
        }
    }

    /** Registers service {@code id} (named the same) with the given checks, as the agent endpoint does. */
    void registerService(String id, HealthCheck... checks) {
        ServiceInstance svc = new ServiceInstance(NODE, id, id, List.of(), "", null, null, 8080, null, false, "", 0, 0);
        propose(new CatalogCommand.Register(N1, svc, List.of(checks), true, false));
    }

    void deregisterService(String id) {
        propose(new CatalogCommand.Deregister(NODE, id, ""));
    }

    HealthCheck check(String checkId) {
        return state.catalog().check(NODE, checkId);
    }

    static HealthCheck check(String checkId, String serviceId, String status, CheckDefinition definition) {
        return new HealthCheck(NODE, checkId, checkId, status, "", "", serviceId, serviceId, List.of(), definition, 0, 0);
    }

    static CheckDefinition http(String url, String interval) {
        return new CheckDefinition(url, "", Map.of(), "", false, "", List.of(), interval, "", "", "");
    }

    static CheckDefinition ttl(String ttl) {
        return new CheckDefinition("", "", Map.of(), "", false, "", List.of(), "", "", ttl, "");
    }

    static CheckDefinition tcp(String target, String interval, String deregisterAfter) {
        return new CheckDefinition("", "", Map.of(), "", false, target, List.of(), interval, "", "", deregisterAfter);
    }
}

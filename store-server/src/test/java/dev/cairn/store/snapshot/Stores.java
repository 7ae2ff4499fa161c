package dev.cairn.store.snapshot;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.CheckDefinition;
import dev.cairn.store.catalog.HealthCheck;
import dev.cairn.store.catalog.Node;
import dev.cairn.store.catalog.ServiceInstance;
import dev.cairn.store.kv.KvOp;
import dev.cairn.store.session.Session;
import dev.cairn.store.session.SessionCommand;
import dev.cairn.store.state.Command;
import dev.cairn.store.state.DirectConsensus;
import dev.cairn.store.state.StoreState;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Small helpers to fill a state through the same commands Raft would apply. */
final class Stores {

    private Stores() {
    }

    static void put(DirectConsensus raft, String key, String value) {
        raft.submit(new Command.KvTxn(List.of(KvOp.set(key, value.getBytes(StandardCharsets.UTF_8), 0)))).join();
    }

    static void delete(DirectConsensus raft, String key) {
        raft.submit(new Command.KvTxn(List.of(KvOp.delete(key)))).join();
    }

    static String value(StoreState state, String key) {
        var entries = state.kv().get(key).entries();
        return entries.isEmpty() ? null : new String(entries.get(0).value(), StandardCharsets.UTF_8);
    }

    /** Node n1 with serfHealth, service web on it, and session s1 (TTL 10s) holding lock/web. */
    static void catalogAndSession(DirectConsensus raft) {
        Node n = new Node("", "n1", "10.0.0.1", "dc1", Map.of(), Map.of(), 0, 0);
        HealthCheck serf = new HealthCheck("n1", "serfHealth", "Serf", HealthCheck.PASSING, "", "", "", "", List.of(),
                CheckDefinition.NONE, 0, 0);
        ServiceInstance web = new ServiceInstance("", "web1", "web", List.of("v1"), "", Map.of(), Map.of(), 80, null,
                false, "", 0, 0);
        raft.submit(new Command.Catalog(new CatalogCommand.Register(n, web, List.of(serf), false, false))).join();
        Session s = new Session("s1", "", "n1", 0, "release", "10s", List.of("serfHealth"), List.of(), 0, 0);
        raft.submit(new Command.Session(new SessionCommand.Create(s))).join();
        raft.submit(new Command.KvTxn(List.of(new KvOp(KvOp.Verb.LOCK, "lock/web", new byte[0], 0, 0, "s1")))).join();
    }
}

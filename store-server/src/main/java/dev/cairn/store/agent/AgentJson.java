package dev.cairn.store.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cairn.store.catalog.HealthCheck;
import dev.cairn.store.http.ApiContext;
import dev.cairn.store.state.ClusterServer;
import dev.cairn.store.state.Consensus;

import java.io.IOException;

/**
 * {@code /v1/agent/self} and member objects. The Go client panics without Config.NodeName, and
 * kiwi needs every Member field present, so all of them are always written.
 */
final class AgentJson {

    private AgentJson() {
    }

    static void self(JsonGenerator g, ApiContext ctx, String version) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("Config");
        g.writeStringField("Datacenter", ctx.datacenter());
        g.writeStringField("PrimaryDatacenter", ctx.datacenter());
        g.writeStringField("NodeName", ctx.nodeName());
        g.writeStringField("NodeID", ctx.nodeId());
        g.writeBooleanField("Server", true);
        g.writeStringField("Revision", "cairn");
        g.writeStringField("Version", version);
        g.writeEndObject();
        g.writeObjectFieldStart("DebugConfig");
        g.writeEndObject();
        g.writeObjectFieldStart("Coord");
        g.writeNumberField("Adjustment", 0);
        g.writeNumberField("Error", 1.5);
        g.writeArrayFieldStart("Vec");
        for (int i = 0; i < 8; i++) {
            g.writeNumber(0);
        }
        g.writeEndArray();
        g.writeNumberField("Height", 1.0e-5);
        g.writeEndObject();
        g.writeFieldName("Member");
        ClusterServer me = ctx.consensus().servers().stream()
                .filter(s -> s.id().equals(ctx.nodeName())).findFirst()
                .orElse(new ClusterServer(ctx.nodeName(), ctx.nodeAddress() + ":8300", false));
        member(g, ctx, me, version);
        g.writeObjectFieldStart("Meta");
        g.writeEndObject();
        g.writeEndObject();
    }

    /**
     * A server as a Consul member. Serf status 1 (alive) or 4 (failed): the leader marks a server
     * it no longer hears from by turning its serfHealth check critical (see {@link ServerHealth}).
     */
    static void member(JsonGenerator g, ApiContext ctx, ClusterServer server, String version) throws IOException {
        String raftAddress = server.address();
        int colon = raftAddress.lastIndexOf(':');
        String host = colon < 0 ? raftAddress : raftAddress.substring(0, colon);
        String port = colon < 0 ? "8300" : raftAddress.substring(colon + 1);
        HealthCheck serf = ctx.state().catalog().check(server.id(), SelfNode.SERF_HEALTH);
        boolean failed = serf != null && serf.status().equals(HealthCheck.CRITICAL);
        g.writeStartObject();
        g.writeStringField("Name", server.id());
        g.writeStringField("Addr", host);
        g.writeNumberField("Port", Integer.parseInt(port));
        g.writeObjectFieldStart("Tags");
        g.writeStringField("role", "consul");
        g.writeStringField("dc", ctx.datacenter());
        g.writeStringField("port", port);
        g.writeStringField("build", version);
        g.writeStringField("vsn", "2");
        if (server.id().equals(ctx.nodeName())) {
            g.writeStringField("id", ctx.nodeId());
        }
        g.writeEndObject();
        g.writeNumberField("Status", failed ? 4 : 1);
        g.writeNumberField("ProtocolMin", 1);
        g.writeNumberField("ProtocolMax", 5);
        g.writeNumberField("ProtocolCur", 2);
        g.writeNumberField("DelegateMin", 2);
        g.writeNumberField("DelegateMax", 5);
        g.writeNumberField("DelegateCur", 4);
        g.writeEndObject();
    }

    /**
     * {@code /v1/agent/metrics} in Consul's JSON shape, with the gauges Cairn keeps; the name
     * {@code consul.rpc.queries_blocking} is Consul's, so dashboards built for it work. The counters
     * count since the server started (Consul's count per 10 s interval): {@code consul.raft.apply}
     * the Raft entries this server appended as leader, {@code cairn.raft.forwarded_writes} the
     * writes it forwarded to the leader; fewer entries than writes is group commit at work.
     */
    static void metrics(JsonGenerator g, ApiContext ctx) throws IOException {
        g.writeStartObject();
        g.writeStringField("Timestamp", java.time.Instant.now().toString());
        g.writeArrayFieldStart("Gauges");
        gauge(g, "consul.rpc.queries_blocking", ctx.hub().parkedQueries());
        gauge(g, "consul.kv.entries", ctx.state().kv().size());
        g.writeEndArray();
        g.writeArrayFieldStart("Points");
        g.writeEndArray();
        g.writeArrayFieldStart("Counters");
        Consensus.RaftCounters counters = ctx.consensus().counters();
        counter(g, "consul.raft.apply", counters.entriesAppended());
        counter(g, "cairn.raft.forwarded_writes", counters.writesForwarded());
        g.writeEndArray();
        g.writeArrayFieldStart("Samples");
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void counter(JsonGenerator g, String name, long count) throws IOException {
        g.writeStartObject();
        g.writeStringField("Name", name);
        g.writeNumberField("Count", count);
        g.writeNumberField("Sum", count);
        g.writeObjectFieldStart("Labels");
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void gauge(JsonGenerator g, String name, long value) throws IOException {
        g.writeStartObject();
        g.writeStringField("Name", name);
        g.writeNumberField("Value", value);
        g.writeObjectFieldStart("Labels");
        g.writeEndObject();
        g.writeEndObject();
    }

}

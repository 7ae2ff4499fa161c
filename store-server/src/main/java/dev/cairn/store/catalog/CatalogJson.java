package dev.cairn.store.catalog;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Consul's JSON shapes for nodes, services and checks (CONSUL-API.md §6-8), PascalCase, in Consul's order. */
public final class CatalogJson {

    private CatalogJson() {
    }

    static void stringMap(JsonGenerator g, String field, Map<String, String> map) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(map).entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    static void strings(JsonGenerator g, String field, List<String> list) throws IOException {
        g.writeArrayFieldStart(field);
        for (String s : list) {
            g.writeString(s);
        }
        g.writeEndArray();
    }

    /**
     * Node TaggedAddresses: kiwi decodes a present map into a type whose {@code wan} is required,
     * so an empty map is written as null.
     */
    private static void nodeTaggedAddresses(JsonGenerator g, String field, Node n) throws IOException {
        if (n.taggedAddresses().isEmpty()) {
            g.writeNullField(field);
        } else {
            stringMap(g, field, n.taggedAddresses());
        }
    }

    public static void node(JsonGenerator g, Node n) throws IOException {
        g.writeStartObject();
        g.writeStringField("ID", n.id());
        g.writeStringField("Node", n.name());
        g.writeStringField("Address", n.address());
        g.writeStringField("Datacenter", n.datacenter());
        nodeTaggedAddresses(g, "TaggedAddresses", n);
        stringMap(g, "Meta", n.meta());
        g.writeNumberField("CreateIndex", n.createIndex());
        g.writeNumberField("ModifyIndex", n.modifyIndex());
        g.writeEndObject();
    }

    private static void serviceTaggedAddresses(JsonGenerator g, String field, ServiceInstance s) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, ServiceInstance.TaggedAddress> e : new java.util.TreeMap<>(s.taggedAddresses()).entrySet()) {
            g.writeObjectFieldStart(e.getKey());
            g.writeStringField("Address", e.getValue().address());
            g.writeNumberField("Port", e.getValue().port());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void weights(JsonGenerator g, String field, ServiceInstance s) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeNumberField("Passing", s.weights().passing());
        g.writeNumberField("Warning", s.weights().warning());
        g.writeEndObject();
    }

    /** A row of /v1/catalog/service/NAME. */
    public static void catalogService(JsonGenerator g, Node n, ServiceInstance s) throws IOException {
        g.writeStartObject();
        g.writeStringField("ID", n.id());
        g.writeStringField("Node", n.name());
        g.writeStringField("Address", n.address());
        g.writeStringField("Datacenter", n.datacenter());
        nodeTaggedAddresses(g, "TaggedAddresses", n);
        stringMap(g, "NodeMeta", n.meta());
        g.writeStringField("ServiceKind", s.kind());
        g.writeStringField("ServiceID", s.id());
        g.writeStringField("ServiceName", s.service());
        strings(g, "ServiceTags", s.tags());
        g.writeStringField("ServiceAddress", s.address());
        serviceTaggedAddresses(g, "ServiceTaggedAddresses", s);
        weights(g, "ServiceWeights", s);
        stringMap(g, "ServiceMeta", s.meta());
        g.writeNumberField("ServicePort", s.port());
        g.writeBooleanField("ServiceEnableTagOverride", s.enableTagOverride());
        g.writeObjectFieldStart("ServiceProxy");
        g.writeEndObject();
        g.writeObjectFieldStart("ServiceConnect");
        g.writeEndObject();
        g.writeNumberField("CreateIndex", s.createIndex());
        g.writeNumberField("ModifyIndex", s.modifyIndex());
        g.writeEndObject();
    }

    /** A service as the agent and /health/service show it; {@code datacenter} null leaves it out. */
    public static void agentService(JsonGenerator g, ServiceInstance s, String datacenter) throws IOException {
        agentService(g, s, datacenter, null);
    }

    /** The same, plus {@code ContentHash} when given ({@code /v1/agent/service/<id>}). */
    public static void agentService(JsonGenerator g, ServiceInstance s, String datacenter, String contentHash)
            throws IOException {
        g.writeStartObject();
        if (!s.kind().isEmpty()) {
            g.writeStringField("Kind", s.kind());
        }
        g.writeStringField("ID", s.id());
        g.writeStringField("Service", s.service());
        strings(g, "Tags", s.tags());
        g.writeStringField("Address", s.address());
        serviceTaggedAddresses(g, "TaggedAddresses", s);
        stringMap(g, "Meta", s.meta());
        g.writeNumberField("Port", s.port());
        weights(g, "Weights", s);
        g.writeBooleanField("EnableTagOverride", s.enableTagOverride());
        if (datacenter != null) {
            g.writeStringField("Datacenter", datacenter);
        }
        g.writeNumberField("CreateIndex", s.createIndex());
        g.writeNumberField("ModifyIndex", s.modifyIndex());
        if (contentHash != null) {
            g.writeStringField("ContentHash", contentHash);
        }
        g.writeEndObject();
    }

    public static void check(JsonGenerator g, HealthCheck c) throws IOException {
        g.writeStartObject();
        g.writeStringField("Node", c.node());
        g.writeStringField("CheckID", c.checkId());
        g.writeStringField("Name", c.name());
        g.writeStringField("Status", c.status());
        g.writeStringField("Notes", c.notes());
        g.writeStringField("Output", c.output());
        g.writeStringField("ServiceID", c.serviceId());
        g.writeStringField("ServiceName", c.serviceName());
        strings(g, "ServiceTags", c.serviceTags());
        g.writeStringField("Type", c.definition().type());
        CheckDefinition d = c.definition();
        g.writeObjectFieldStart("Definition");
        if (!d.http().isEmpty()) {
            g.writeStringField("HTTP", d.http());
            g.writeStringField("Method", d.method());
            g.writeObjectFieldStart("Header");
            for (Map.Entry<String, List<String>> h : d.header().entrySet()) {
                strings(g, h.getKey(), h.getValue());
            }
            g.writeEndObject();
            g.writeBooleanField("TLSSkipVerify", d.tlsSkipVerify());
        }
        if (!d.tcp().isEmpty()) {
            g.writeStringField("TCP", d.tcp());
        }
        if (!d.args().isEmpty()) {
            strings(g, "ScriptArgs", d.args());
        }
        if (!d.ttl().isEmpty()) {
            g.writeStringField("TTL", d.ttl());
        }
        if (!d.interval().isEmpty()) {
            g.writeStringField("Interval", d.interval());
        }
        if (!d.timeout().isEmpty()) {
            g.writeStringField("Timeout", d.timeout());
        }
        if (!d.deregisterCriticalServiceAfter().isEmpty()) {
            g.writeStringField("DeregisterCriticalServiceAfter", d.deregisterCriticalServiceAfter());
        }
        g.writeEndObject();
        g.writeNumberField("CreateIndex", c.createIndex());
        g.writeNumberField("ModifyIndex", c.modifyIndex());
        g.writeEndObject();
    }
}

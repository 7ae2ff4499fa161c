package dev.cairn.store.session;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.List;

/**
 * Consul's session JSON. {@code LockDelay} is integer nanoseconds (Ecwid reads a long). {@code
 * Checks} (pre-1.7 clients: Ecwid, and kiwi, whose Immutables model needs a list, never null)
 * lists every check; {@code NodeChecks} and {@code ServiceChecks} split them as Consul ≥ 1.7 does.
 */
final class SessionJson {

    private SessionJson() {
    }

    static void writeAll(JsonGenerator g, List<Session> sessions) throws IOException {
        g.writeStartArray();
        for (Session s : sessions) {
            write(g, s);
        }
        g.writeEndArray();
    }

    static void write(JsonGenerator g, Session s) throws IOException {
        g.writeStartObject();
        g.writeStringField("ID", s.id());
        g.writeStringField("Name", s.name());
        g.writeStringField("Node", s.node());
        g.writeNumberField("LockDelay", s.lockDelayNanos());
        g.writeStringField("Behavior", s.behavior());
        g.writeStringField("TTL", s.ttl());
        strings(g, "Checks", s.checkIds());
        strings(g, "NodeChecks", s.nodeChecks());
        g.writeArrayFieldStart("ServiceChecks");
        for (Session.ServiceCheck c : s.serviceChecks()) {
            g.writeStartObject();
            g.writeStringField("ID", c.id());
            g.writeStringField("Namespace", c.namespace());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("CreateIndex", s.createIndex());
        g.writeNumberField("ModifyIndex", s.modifyIndex());
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}

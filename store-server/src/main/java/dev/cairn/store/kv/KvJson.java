package dev.cairn.store.kv;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.util.Base64;

/** Consul's DirEntry JSON, fields in Consul's order; {@code Session} only while a lock is held. */
final class KvJson {

    private KvJson() {
    }

    static void writeEntry(JsonGenerator g, KvEntry e, boolean withValue) throws IOException {
        g.writeStartObject();
        g.writeNumberField("LockIndex", e.lockIndex());
        g.writeStringField("Key", e.key());
        g.writeFieldName("Flags");
        g.writeNumber(Long.toUnsignedString(e.flags()));
        if (withValue && e.value().length > 0) {
            g.writeStringField("Value", Base64.getEncoder().encodeToString(e.value()));
        } else {
            g.writeNullField("Value");
        }
        if (e.locked()) {
            g.writeStringField("Session", e.session());
        }
        g.writeNumberField("CreateIndex", e.createIndex());
        g.writeNumberField("ModifyIndex", e.modifyIndex());
        g.writeEndObject();
    }
}

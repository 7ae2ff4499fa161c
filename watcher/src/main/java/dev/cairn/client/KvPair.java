package dev.cairn.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Base64;

/** One KV entry as the API returns it (Consul's DirEntry). {@code flags} is a uint64 held in a long. */
public record KvPair(String key, long flags, byte[] value, long createIndex, long modifyIndex,
                     long lockIndex, String session) {

    public KvPair {
        value = value == null ? new byte[0] : value;
        session = session == null ? "" : session;
    }

    public static KvPair of(String key, long flags, byte[] value) {
        return new KvPair(key, flags, value, 0, 0, 0, "");
    }

    static KvPair fromJson(JsonNode n) {
        JsonNode v = n.get("Value");
        byte[] value = v == null || v.isNull() ? new byte[0] : Base64.getDecoder().decode(v.asText());
        JsonNode s = n.get("Session");
        return new KvPair(n.path("Key").asText(), n.path("Flags").longValue(), value,
                n.path("CreateIndex").longValue(), n.path("ModifyIndex").longValue(),
                n.path("LockIndex").longValue(), s == null || s.isNull() ? "" : s.asText());
    }
}

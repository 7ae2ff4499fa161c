package dev.cairn.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The KV endpoints ({@code /v1/kv}, {@code /v1/txn}) with Consul's Go client semantics: a missing
 * key or empty prefix is an empty answer, not an error; writes return the server's true/false.
 */
public final class KvClient {

    private final CairnClient http;

    public KvClient(CairnClient http) {
        this.http = http;
    }

    public Optional<KvPair> get(String key) {
        CairnClient.Response r = http.get(path(key), null);
        if (r.notFound()) {
            return Optional.empty();
        }
        List<KvPair> pairs = pairs(r.ok().json());
        return pairs.isEmpty() ? Optional.empty() : Optional.of(pairs.get(0));
    }

    /** Every entry whose key starts with {@code prefix} (a plain string prefix), sorted by key. */
    public List<KvPair> list(String prefix) {
        Map<String, String> q = CairnClient.query();
        q.put("recurse", null);
        CairnClient.Response r = http.get(path(prefix), q);
        return r.notFound() ? List.of() : pairs(r.ok().json());
    }

    /** Keys under {@code prefix}, cut after the first {@code separator} past it (none when null or empty). */
    public List<String> keys(String prefix, String separator) {
        Map<String, String> q = CairnClient.query();
        q.put("keys", null);
        if (separator != null && !separator.isEmpty()) {
            q.put("separator", separator);
        }
        CairnClient.Response r = http.get(path(prefix), q);
        if (r.notFound()) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        r.ok().json().forEach(k -> keys.add(k.asText()));
        return keys;
    }

    /** A plain set; with {@code cas} non-null, only if the key's ModifyIndex equals it (0: only if absent). */
    public boolean put(String key, byte[] value, long flags, Long cas) {
        Map<String, String> q = CairnClient.query();
        if (flags != 0) {
            q.put("flags", Long.toUnsignedString(flags));
        }
        if (cas != null) {
            q.put("cas", Long.toUnsignedString(cas));
        }
        return http.put(path(key), q, value).ok().text().contains("true");
    }

    /** Deletes one key; with {@code cas} non-null, only if its ModifyIndex equals it. */
    public boolean delete(String key, Long cas) {
        Map<String, String> q = CairnClient.query();
        if (cas != null) {
            q.put("cas", Long.toUnsignedString(cas));
        }
        return http.delete(path(key), q).ok().text().contains("true");
    }

    public void deleteTree(String prefix) {
        Map<String, String> q = CairnClient.query();
        q.put("recurse", null);
        http.delete(path(prefix), q).ok();
    }

    /** One KV operation of a transaction; Value is sent as base64. */
    public record TxnOp(String verb, String key, byte[] value, long flags, long index, String session) {

        public static TxnOp set(String key, byte[] value, long flags) {
            return new TxnOp("set", key, value, flags, 0, null);
        }

        ObjectNode toJson() {
            ObjectNode kv = CairnClient.JSON.createObjectNode();
            kv.put("Verb", verb);
            kv.put("Key", key);
            if (value != null) {
                kv.put("Value", Base64.getEncoder().encodeToString(value));
            }
            if (flags != 0) {
                kv.put("Flags", new BigInteger(Long.toUnsignedString(flags)));
            }
            if (index != 0) {
                kv.put("Index", index);
            }
            if (session != null) {
                kv.put("Session", session);
            }
            ObjectNode op = CairnClient.JSON.createObjectNode();
            op.set("KV", kv);
            return op;
        }
    }

    /** {@code committed} false means rolled back (409); {@code errors} then says why, per operation. */
    public record TxnResult(boolean committed, List<KvPair> results, List<String> errors) {
    }

    /** {@code PUT /v1/txn}: all operations commit together or none do. */
    public TxnResult txn(List<TxnOp> ops) {
        ArrayNode body = CairnClient.JSON.createArrayNode();
        ops.forEach(op -> body.add(op.toJson()));
        byte[] bytes;
        try {
            bytes = CairnClient.JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CairnClient.Response r = http.put("/v1/txn", null, bytes);
        if (r.status() != 409) {
            r.ok();
        }
        JsonNode json = r.json();
        List<KvPair> results = new ArrayList<>();
        json.path("Results").forEach(n -> results.add(KvPair.fromJson(n.path("KV"))));
        List<String> errors = new ArrayList<>();
        json.path("Errors").forEach(n -> errors.add("operation " + n.path("OpIndex").asInt() + ": "
                + n.path("What").asText()));
        return new TxnResult(r.status() == 200, results, errors);
    }

    private static String path(String key) {
        return "/v1/kv/" + CairnClient.encodePath(key);
    }

    private static List<KvPair> pairs(JsonNode array) {
        List<KvPair> out = new ArrayList<>();
        array.forEach(n -> out.add(KvPair.fromJson(n)));
        return out;
    }
}

package dev.cairn.store.kv;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.store.http.ApiContext;
import dev.cairn.store.http.ApiException;
import dev.cairn.store.http.Async;
import dev.cairn.store.http.Consistency;
import dev.cairn.store.http.QueryOptions;
import dev.cairn.store.http.Responses;
import dev.cairn.store.http.Route;
import dev.cairn.store.state.Command;
import io.undertow.server.HttpServerExchange;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code PUT /v1/txn}: KV operations applied atomically (200 committed, 409 rolled back). A
 * transaction of reads only is answered from local state, without a Raft round trip, as Consul does.
 */
public final class TxnHandler {

    static final int MAX_OPERATIONS = 128;
    static final long MAX_BODY_BYTES = 512 * 1024;

    private final ApiContext ctx;

    public TxnHandler(ApiContext ctx) {
        this.ctx = ctx;
    }

    public Route route() {
        return Route.put("/v1/txn", (ex, rest) -> {
            QueryOptions options = QueryOptions.parse(ex, ctx.datacenter());
            Async.readBody(ex, MAX_BODY_BYTES, "Transaction", (e, body) -> {
                List<KvOp> ops = parse(body);
                TxnResult delayed = lockDelayed(ops);
                if (delayed != null) {
                    send(e, ops, delayed);
                } else if (ops.stream().anyMatch(op -> op.verb().writes())) {
                    Async.answer(e, ctx.consensus().submit(new Command.KvTxn(ops)), r -> send(e, ops, (TxnResult) r));
                } else {
                    CompletableFuture<Void> barrier = options.consistency() == Consistency.STALE
                            ? CompletableFuture.completedFuture(null) : ctx.consensus().readBarrier();
                    Async.answer(e, barrier, x -> {
                        TxnResult r = ctx.state().kv().read(ops);
                        Responses.setQueryMeta(e, ctx, r.index(), options.consistency());
                        send(e, ops, r);
                    });
                }
            });
        });
    }

    /** A lock on a key in its lock-delay fails the transaction before it is proposed, as in Consul. */
    private TxnResult lockDelayed(List<KvOp> ops) {
        for (int i = 0; i < ops.size(); i++) {
            KvOp op = ops.get(i);
            if (op.verb() == KvOp.Verb.LOCK && ctx.state().sessions().lockDelayed(op.key())) {
                return TxnResult.rolledBack(List.of(new TxnResult.TxnError(i,
                        "failed to lock key \"" + op.key() + "\" due to lock delay")), ctx.state().lastIndex());
            }
        }
        return null;
    }

    static List<KvOp> parse(byte[] body) {
        JsonNode root;
        try {
            root = Responses.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("Failed to parse body: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("Failed to parse body: " + e.getMessage());
        }
        if (root == null || !root.isArray()) {
            throw ApiException.badRequest("Failed to parse body: expected a JSON array of operations");
        }
        if (root.size() > MAX_OPERATIONS) {
            throw new ApiException(413, "Transaction contains too many operations (" + root.size() + " > "
                    + MAX_OPERATIONS + ")");
        }
        List<KvOp> ops = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode op = root.get(i);
            JsonNode kv = field(op, "KV");
            if (kv == null) {
                String kind = op.isObject() && op.fieldNames().hasNext() ? op.fieldNames().next() : op.toString();
                throw ApiException.badRequest("Operation " + i + ": only KV operations are supported, got " + kind);
            }
            String verbText = text(kv, "Verb");
            KvOp.Verb verb = KvOp.Verb.parse(verbText);
            if (verb == null) {
                throw ApiException.badRequest("Operation " + i + ": unknown KV verb \"" + verbText + "\"");
            }
            String key = text(kv, "Key");
            if (key == null || (key.isEmpty() && verb != KvOp.Verb.GET_TREE && verb != KvOp.Verb.DELETE_TREE)) {
                throw ApiException.badRequest("Operation " + i + ": missing key name");
            }
            byte[] value = new byte[0];
            String b64 = text(kv, "Value");
            if (b64 != null) {
                try {
                    value = Base64.getDecoder().decode(b64);
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("Operation " + i + ": Value is not valid base64");
                }
            }
            ops.add(new KvOp(verb, key, value, number(kv, "Flags", i), number(kv, "Index", i), text(kv, "Session")));
        }
        return ops;
    }

    /** Consul decodes with Go's case-insensitive field matching; so do we. */
    private static JsonNode field(JsonNode obj, String name) {
        if (obj == null || !obj.isObject()) {
            return null;
        }
        Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equalsIgnoreCase(name)) {
                return f.getValue();
            }
        }
        return null;
    }

    private static String text(JsonNode obj, String name) {
        JsonNode n = field(obj, name);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static long number(JsonNode obj, String name, int op) {
        JsonNode n = field(obj, name);
        if (n == null || n.isNull()) {
            return 0;
        }
        // flags and indexes are uint64 in Consul: accept the whole range, store as two's complement
        java.math.BigInteger v = n.isIntegralNumber() ? n.bigIntegerValue() : null;
        if (v == null || v.signum() < 0 || v.bitLength() > 64) {
            throw ApiException.badRequest("Operation " + op + ": " + name + " must be an unsigned integer, got " + n);
        }
        return v.longValue();
    }

    private static void send(HttpServerExchange ex, List<KvOp> ops, TxnResult r) {
        byte[] body = Responses.json(ex, g -> {
            g.writeStartObject();
            if (r.committed()) {
                g.writeArrayFieldStart("Results");
                for (TxnResult.OpResult res : r.results()) {
                    KvOp.Verb verb = ops.get(res.opIndex()).verb();
                    boolean withValue = verb == KvOp.Verb.GET || verb == KvOp.Verb.GET_TREE
                            || verb == KvOp.Verb.GET_OR_EMPTY;
                    g.writeStartObject();
                    g.writeFieldName("KV");
                    KvJson.writeEntry(g, res.entry(), withValue);
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeNullField("Errors");
            } else {
                g.writeNullField("Results");
                g.writeArrayFieldStart("Errors");
                for (TxnResult.TxnError err : r.errors()) {
                    g.writeStartObject();
                    g.writeNumberField("OpIndex", err.opIndex());
                    g.writeStringField("What", err.what());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
        Responses.sendJson(ex, r.committed() ? 200 : 409, body);
    }
}

package dev.cairn.store.kv;

import dev.cairn.store.http.ApiContext;
import dev.cairn.store.http.ApiException;
import dev.cairn.store.http.Async;
import dev.cairn.store.http.BlockingQuery;
import dev.cairn.store.http.Params;
import dev.cairn.store.http.QueryOptions;
import dev.cairn.store.http.Responses;
import dev.cairn.store.http.Route;
import dev.cairn.store.http.WatchHub;
import dev.cairn.store.state.Command;
import dev.cairn.store.state.WatchKeys;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /v1/kv/<key>}: GET (plain, recurse, keys, raw; blocking), PUT and DELETE, as in Consul. */
public final class KvHandler {

    private final ApiContext ctx;

    public KvHandler(ApiContext ctx) {
        this.ctx = ctx;
    }

    public Route route() {
        return new Route("/v1/kv/", Set.of("GET", "PUT", "DELETE"), (ex, key) -> {
            switch (ex.getRequestMethod().toString()) {
                case "GET" -> get(ex, key);
                case "PUT" -> put(ex, key);
                default -> delete(ex, key);
            }
        });
    }

    // ---------------------------------------------------------------- GET

    private void get(HttpServerExchange ex, String key) {
        Map<String, Deque<String>> q = ex.getQueryParameters();
        QueryOptions options = QueryOptions.parse(ex, ctx.datacenter());
        boolean keys = Params.flag(q, "keys");
        boolean recurse = Params.flag(q, "recurse");
        if (key.isEmpty() && !keys && !recurse) {
            throw ApiException.badRequest("Missing key name");
        }
        KvState kv = ctx.state().kv();
        if (keys) {
            String sep = Params.first(q, "separator");
            String separator = sep != null ? sep : Params.first(q, "seperator");
            BlockingQuery.serve(ex, ctx, options, WatchHub.Spec.prefix(WatchKeys.kv(key)), () -> {
                KvState.Read read = kv.list(key);
                List<String> listed = listKeys(read.entries(), key, separator);
                return new BlockingQuery.Answer(read.index(), e -> {
                    if (listed.isEmpty() && !key.isEmpty()) {
                        Responses.sendEmpty(e, 404);
                    } else {
                        Responses.sendJson(e, g -> {
                            g.writeStartArray();
                            for (String k : listed) {
                                g.writeString(k);
                            }
                            g.writeEndArray();
                        });
                    }
                });
            });
        } else if (recurse) {
            BlockingQuery.serve(ex, ctx, options, WatchHub.Spec.prefix(WatchKeys.kv(key)), () -> {
                KvState.Read read = kv.list(key);
                return new BlockingQuery.Answer(read.index(), e -> sendEntries(e, read.entries()));
            });
        } else {
            boolean raw = Params.flag(q, "raw");
            BlockingQuery.serve(ex, ctx, options, WatchHub.Spec.key(WatchKeys.kv(key)), () -> {
                KvState.Read read = kv.get(key);
                return new BlockingQuery.Answer(read.index(), e -> {
                    if (read.entries().isEmpty()) {
                        Responses.sendEmpty(e, 404);
                    } else if (raw) {
                        sendRaw(e, read.entries().get(0));
                    } else {
                        sendEntries(e, read.entries());
                    }
                });
            });
        }
    }

    /** Keys under prefix; with a separator, cut after its first occurrence past the prefix. */
    static List<String> listKeys(List<KvEntry> entries, String prefix, String separator) {
        Set<String> out = new LinkedHashSet<>();
        for (KvEntry e : entries) {
            String k = e.key();
            if (separator != null && !separator.isEmpty()) {
                int at = k.indexOf(separator, prefix.length());
                if (at >= 0) {
                    k = k.substring(0, at + separator.length());
                }
            }
            out.add(k);
        }
        return new ArrayList<>(out);
    }

    private static void sendEntries(HttpServerExchange ex, List<KvEntry> entries) {
        if (entries.isEmpty()) {
            Responses.sendEmpty(ex, 404);
            return;
        }
        Responses.sendJson(ex, g -> {
            g.writeStartArray();
            for (KvEntry e : entries) {
                KvJson.writeEntry(g, e, true);
            }
            g.writeEndArray();
        });
    }

    private static void sendRaw(HttpServerExchange ex, KvEntry e) {
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        ex.getResponseHeaders().put(new HttpString("X-Content-Type-Options"), "nosniff");
        ex.getResponseHeaders().put(new HttpString("Content-Security-Policy"), "sandbox");
        ex.setStatusCode(200);
        Responses.send(ex, e.value());
    }

    // ---------------------------------------------------------------- PUT

    private void put(HttpServerExchange ex, String key) {
        Map<String, Deque<String>> q = ex.getQueryParameters();
        QueryOptions.checkDatacenter(q, ctx.datacenter());
        if (key.isEmpty()) {
            throw ApiException.badRequest("Missing key name");
        }
        long flags = Params.unsigned(q, "flags", 0);
        String cas = Params.first(q, "cas");
        String acquire = Params.first(q, "acquire");
        String release = Params.first(q, "release");
        conflicting(cas, acquire, release);
        long casIndex = cas == null ? -1 : Params.unsigned(q, "cas", 0);
        Async.readBody(ex, ctx.maxValueBytes(), "Value for key \"" + key + "\"", (e, body) -> {
            KvOp op;
            if (acquire != null) {
                // lock-delay is the local clock's call, made before proposing (as Consul's kvsPreApply)
                if (ctx.state().sessions().lockDelayed(key)) {
                    Responses.sendBoolean(e, false);
                    return;
                }
                op = new KvOp(KvOp.Verb.LOCK, key, body, flags, 0, acquire);
            } else if (release != null) {
                op = new KvOp(KvOp.Verb.UNLOCK, key, body, flags, 0, release);
            } else if (casIndex >= 0) {
                op = KvOp.cas(key, body, flags, casIndex);
            } else {
                op = KvOp.set(key, body, flags);
            }
            write(e, op);
        });
    }

    private static void conflicting(String cas, String acquire, String release) {
        int n = (cas != null ? 1 : 0) + (acquire != null ? 1 : 0) + (release != null ? 1 : 0);
        if (n > 1) {
            List<String> given = new ArrayList<>();
            if (cas != null) {
                given.add("cas");
            }
            if (acquire != null) {
                given.add("acquire");
            }
            if (release != null) {
                given.add("release");
            }
            throw ApiException.badRequest("Conflicting flags: " + String.join(", ", given)
                    + " cannot be used together");
        }
    }

    // ---------------------------------------------------------------- DELETE

    private void delete(HttpServerExchange ex, String key) {
        Map<String, Deque<String>> q = ex.getQueryParameters();
        QueryOptions.checkDatacenter(q, ctx.datacenter());
        boolean recurse = Params.flag(q, "recurse");
        String cas = Params.first(q, "cas");
        if (recurse && cas != null) {
            throw ApiException.badRequest("Conflicting flags: cas, recurse cannot be used together");
        }
        if (key.isEmpty() && !recurse) {
            throw ApiException.badRequest("Missing key name");
        }
        KvOp op;
        if (recurse) {
            op = KvOp.deleteTree(key);
        } else if (cas != null) {
            op = KvOp.deleteCas(key, Params.unsigned(q, "cas", 0));
        } else {
            op = KvOp.delete(key);
        }
        ex.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE, () -> write(ex, op));
    }

    private void write(HttpServerExchange ex, KvOp op) {
        Async.answer(ex, ctx.consensus().submit(new Command.KvTxn(List.of(op))), result -> {
            TxnResult r = (TxnResult) result;
            if (!r.committed()) {
                String what = r.errors().get(0).what();
                if (what.startsWith("invalid session")) {
                    throw ApiException.badRequest(what);
                }
            }
            Responses.sendBoolean(ex, r.committed());
        });
    }
}

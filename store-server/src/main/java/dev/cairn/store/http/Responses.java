package dev.cairn.store.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Writes responses the way Consul does: minified JSON (indented with ?pretty), plain-text errors. */
public final class Responses {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    public static final HttpString X_CONSUL_INDEX = new HttpString("X-Consul-Index");
    public static final HttpString X_CONSUL_KNOWN_LEADER = new HttpString("X-Consul-Knownleader");
    public static final HttpString X_CONSUL_LAST_CONTACT = new HttpString("X-Consul-Lastcontact");
    public static final HttpString X_CONSUL_CONSISTENCY = new HttpString("X-Consul-Effective-Consistency");
    public static final HttpString X_CONSUL_ACL_POLICY = new HttpString("X-Consul-Default-Acl-Policy");

    private Responses() {
    }

    /** Writes a JSON body produced by {@code writer} with a streaming generator. */
    public interface JsonWriter {
        void write(JsonGenerator g) throws IOException;
    }

    public static byte[] json(HttpServerExchange ex, JsonWriter writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (ex != null && ex.getQueryParameters().containsKey("pretty")) {
                g.useDefaultPrettyPrinter();
            }
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static void sendJson(HttpServerExchange ex, int status, byte[] body) {
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        send(ex, body);
    }

    public static void sendJson(HttpServerExchange ex, JsonWriter writer) {
        sendJson(ex, 200, json(ex, writer));
    }

    public static void sendBoolean(HttpServerExchange ex, boolean value) {
        sendJson(ex, 200, (value ? "true" : "false").getBytes(StandardCharsets.US_ASCII));
    }

    public static void sendText(HttpServerExchange ex, int status, String text) {
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        send(ex, text.getBytes(StandardCharsets.UTF_8));
    }

    public static void sendEmpty(HttpServerExchange ex, int status) {
        ex.setStatusCode(status);
        send(ex, new byte[0]);
    }

    public static void send(HttpServerExchange ex, byte[] body) {
        ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        ex.getResponseSender().send(ByteBuffer.wrap(body));
    }

    /** The headers every read carries, including KV 404s: clients block on this index. */
    public static void setQueryMeta(HttpServerExchange ex, ApiContext ctx, long index, Consistency mode) {
        ex.getResponseHeaders().put(X_CONSUL_INDEX, Long.toUnsignedString(Math.max(1, index)));
        ex.getResponseHeaders().put(X_CONSUL_KNOWN_LEADER, ctx.consensus().knownLeader() ? "true" : "false");
        ex.getResponseHeaders().put(X_CONSUL_LAST_CONTACT, Long.toString(
                mode == Consistency.STALE ? ctx.consensus().lastContactMillis() : 0));
        ex.getResponseHeaders().put(X_CONSUL_CONSISTENCY, mode.header());
    }
}

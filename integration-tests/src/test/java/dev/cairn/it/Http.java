package dev.cairn.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A tiny HTTP client for one server: {@code http.put("/v1/kv/a", "x")}, {@code http.get("/v1/kv/a")}.
 * Paths are sent as written, so {@code %2F} stays encoded on the wire.
 */
public final class Http {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** A received response. */
    public record Response(int status, HttpHeaders headers, byte[] bytes) {

        public String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (status " + status + "): " + body(), e);
            }
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** {@code X-Consul-Index}, or -1 when absent. */
        public long index() {
            String v = header("X-Consul-Index");
            return v == null ? -1 : Long.parseUnsignedLong(v);
        }

        /** The decoded value of the first entry of a KV GET. */
        public String value() {
            JsonNode v = json().get(0).get("Value");
            return v.isNull() ? "" : new String(Base64.getDecoder().decode(v.asText()), StandardCharsets.UTF_8);
        }

        public long modifyIndex() {
            return json().get(0).get("ModifyIndex").asLong();
        }

        @Override
        public String toString() {
            return status + " " + headers.map() + " " + body();
        }
    }

    private final CairnProcess server;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    public Http(CairnProcess server) {
        this.server = server;
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    /** The server's {@code consul.rpc.queries_blocking} gauge: the blocking queries parked there now. */
    public long parkedQueries() {
        for (var gauge : get("/v1/agent/metrics").json().path("Gauges")) {
            if (gauge.path("Name").asText().equals("consul.rpc.queries_blocking")) {
                return gauge.path("Value").asLong();
            }
        }
        throw new AssertionError("no consul.rpc.queries_blocking gauge in /v1/agent/metrics");
    }

    public Response put(String path, String body) {
        return send("PUT", path, body.getBytes(StandardCharsets.UTF_8));
    }

    public Response put(String path, byte[] body) {
        return send("PUT", path, body);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    /** PUTs a value and fails unless the server answered {@code true}. */
    public void set(String key, String value) {
        Response r = put("/v1/kv/" + key, value);
        if (r.status() != 200 || !r.body().equals("true")) {
            throw new AssertionError("PUT " + key + " failed: " + r);
        }
    }

    /** The {@code ModifyIndex} of a key, failing if it is missing. */
    public long modifyIndexOf(String key) {
        Response r = get("/v1/kv/" + key);
        if (r.status() != 200) {
            throw new AssertionError("GET " + key + " failed: " + r);
        }
        return r.modifyIndex();
    }

    public Response send(String method, String path, byte[] body) {
        try {
            return sendAsync(method, path, body, DEFAULT_TIMEOUT).join();
        } catch (CompletionException e) {
            throw new AssertionError(method + " " + path + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** Sends without waiting; for blocking queries pass a timeout above their wait. */
    public CompletableFuture<Response> sendAsync(String method, String path, byte[] body, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(server.uri(path))
                .timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(r -> new Response(r.statusCode(), r.headers(), r.body()));
    }

    public CompletableFuture<Response> getAsync(String path, Duration timeout) {
        return sendAsync("GET", path, null, timeout);
    }
}

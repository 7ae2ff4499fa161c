package dev.cairn.store.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.store.CairnServer;
import dev.cairn.store.ServerConfig;
import dev.cairn.store.TestConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code /v1/session/*} and KV locks through a real in-process server (Raft, HTTP). */
class SessionApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static CairnServer server;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        ServerConfig c = TestConfigs.dev("s1");
        c.minSessionTtl = Duration.ofSeconds(1);
        server = CairnServer.start(c);
        base = "http://127.0.0.1:" + server.httpPort();
        // the server registers its own node (with serfHealth) just after start
        await().atMost(Duration.ofSeconds(10)).until(() -> server.state().catalog().node("s1").value() != null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return sendAsync(method, path, body).get();
    }

    private static CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String body) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String create(String body) throws Exception {
        return json(send("PUT", "/v1/session/create", body)).get("ID").asText();
    }

    private static long index(HttpResponse<?> r) {
        return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow());
    }

    @Test
    void createReadRenewAndDestroyAsConsulAnswersThem() throws Exception {
        String id = create(null);

        JsonNode info = json(send("GET", "/v1/session/info/" + id, null));
        assertThat(info).hasSize(1);
        JsonNode s = info.get(0);
        assertThat(s.get("ID").asText()).isEqualTo(id);
        assertThat(s.get("Node").asText()).isEqualTo("s1");
        assertThat(s.get("LockDelay").asLong()).isEqualTo(15_000_000_000L);
        assertThat(s.get("Behavior").asText()).isEqualTo("release");
        assertThat(s.get("TTL").asText()).isEmpty();
        assertThat(s.get("Checks").toString()).isEqualTo("[\"serfHealth\"]");
        assertThat(s.get("NodeChecks").toString()).isEqualTo("[\"serfHealth\"]");
        assertThat(s.get("CreateIndex").asLong()).isPositive().isEqualTo(s.get("ModifyIndex").asLong());
        assertThat(json(send("GET", "/v1/session/list", null)).findValuesAsText("ID")).contains(id);
        assertThat(json(send("GET", "/v1/session/node/s1", null)).findValuesAsText("ID")).contains(id);

        JsonNode renewed = json(send("PUT", "/v1/session/renew/" + id, ""));
        assertThat(renewed.get(0).get("ID").asText()).isEqualTo(id);

        assertThat(send("PUT", "/v1/session/destroy/" + id, "").body()).isEqualTo("true");
        assertThat(send("GET", "/v1/session/info/" + id, null).body()).isEqualTo("[]");
        HttpResponse<String> gone = send("PUT", "/v1/session/renew/" + id, "");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).isEqualTo("Session id '" + id + "' not found");
        assertThat(send("PUT", "/v1/session/destroy/" + id, "").body()).as("unknown is fine").isEqualTo("true");
    }

    @Test
    void badSessionsAreRefusedWithA400SayingWhy() throws Exception {
        HttpResponse<String> ghost = send("PUT", "/v1/session/create", "{\"Node\":\"ghost\"}");
        HttpResponse<String> check = send("PUT", "/v1/session/create", "{\"Checks\":[\"nope\"]}");
        HttpResponse<String> ttl = send("PUT", "/v1/session/create", "{\"TTL\":\"500ms\"}");
        HttpResponse<String> get = send("GET", "/v1/session/create", null);

        assertThat(ghost.statusCode()).isEqualTo(400);
        assertThat(ghost.body()).startsWith("Missing node registration");
        assertThat(check.statusCode()).isEqualTo(400);
        assertThat(check.body()).startsWith("Missing check 'nope' registration");
        assertThat(ttl.statusCode()).isEqualTo(400);
        assertThat(ttl.body()).contains("Invalid Session TTL '500ms'");
        assertThat(get.statusCode()).isEqualTo(405);
    }

    @Test
    void aLockIsExclusiveAndNeedsAValidSession() throws Exception {
        String a = create("{\"LockDelay\":0}");
        String b = create("{\"LockDelay\":0}");

        assertThat(send("PUT", "/v1/kv/excl?acquire=" + a, "x").body()).isEqualTo("true");
        assertThat(send("PUT", "/v1/kv/excl?acquire=" + b, "y").body()).isEqualTo("false");
        assertThat(send("PUT", "/v1/kv/excl?acquire=" + a, "z").body()).as("the holder may update").isEqualTo("true");
        assertThat(send("PUT", "/v1/kv/excl?release=" + b, "").body()).isEqualTo("false");
        assertThat(send("PUT", "/v1/kv/excl?acquire=no-such-session", "").statusCode()).isEqualTo(400);
        assertThat(send("PUT", "/v1/kv/excl?release=" + a, "").body()).isEqualTo("true");
        assertThat(send("PUT", "/v1/kv/excl?acquire=" + b, "y").body()).isEqualTo("true");
    }

    @Test
    void anExpiredTtlReleasesTheLockWakesItsWatchersAndStartsTheLockDelay() throws Exception {
        String holder = create("{\"TTL\":\"1s\",\"Name\":\"short\"}");
        String next = create("{\"LockDelay\":\"0s\"}");
        assertThat(send("PUT", "/v1/kv/ttl/leader?acquire=" + holder, "me").body()).isEqualTo("true");
        HttpResponse<String> held = send("GET", "/v1/kv/ttl/leader", null);
        assertThat(json(held).get(0).get("Session").asText()).isEqualTo(holder);

        // a blocking read parked on the key wakes when the expiry releases it
        CompletableFuture<HttpResponse<String>> watcher = sendAsync("GET", "/v1/kv/ttl/leader?index=" + index(held), null);

        HttpResponse<String> woke = watcher.get(15, java.util.concurrent.TimeUnit.SECONDS);
        JsonNode released = json(woke).get(0);
        assertThat(released.has("Session")).isFalse();
        assertThat(released.get("LockIndex").asLong()).isEqualTo(1);
        assertThat(index(woke)).isGreaterThan(index(held));
        assertThat(send("GET", "/v1/session/info/" + holder, null).body()).isEqualTo("[]");
        assertThat(send("PUT", "/v1/session/renew/" + holder, "").statusCode()).isEqualTo(404);

        // the expired session's 15 s lock-delay keeps the key from being taken at once
        assertThat(send("PUT", "/v1/kv/ttl/leader?acquire=" + next, "").body()).isEqualTo("false");
        assertThat(send("PUT", "/v1/txn", "[{\"KV\":{\"Verb\":\"lock\",\"Key\":\"ttl/leader\",\"Session\":\""
                + next + "\"}}]").statusCode()).isEqualTo(409);
    }

    @Test
    void renewingKeepsATtlSessionAlive() throws Exception {
        String id = create("{\"TTL\":\"1s\"}");
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();

        await().pollInterval(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10)).until(() -> {
            assertThat(send("PUT", "/v1/session/renew/" + id, "").statusCode()).isEqualTo(200);
            return System.nanoTime() - until > 0;
        });

        assertThat(server.state().sessions().exists(id)).isTrue();
        send("PUT", "/v1/session/destroy/" + id, "");
    }

    @Test
    void aBlockingSessionListWakesOnCreate() throws Exception {
        HttpResponse<String> before = send("GET", "/v1/session/list", null);
        CompletableFuture<HttpResponse<String>> parked = sendAsync("GET", "/v1/session/list?index=" + index(before), null);

        String id = create(null);

        HttpResponse<String> after = parked.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(index(after)).isGreaterThan(index(before));
        assertThat(json(after).findValuesAsText("ID")).contains(id);
    }
}

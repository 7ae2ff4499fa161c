package dev.cairn.store.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.store.CairnServer;
import dev.cairn.store.ServerConfig;
import dev.cairn.store.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Checks registered over the agent API of a real server, run by it, seen through the health API. */
class HealthChecksServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private CairnServer server;

    @BeforeEach
    void start() throws Exception {
        ServerConfig c = TestConfigs.dev("n1");
        c.checkReapInterval = Duration.ofMillis(200);
        c.minDeregisterCriticalAfter = Duration.ofMillis(100);
        server = CairnServer.start(c);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private record Reply(long index, JsonNode body) {
    }

    private Reply get(String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        long index = Long.parseLong(r.headers().firstValue("X-Consul-Index").orElse("0"));
        return new Reply(index, JSON.readTree(r.body()));
    }

    private void put(String path, String body) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("PUT %s: %s", path, r.body()).isEqualTo(200);
    }

    /** The check's entry in /v1/health/service/NAME (a missing one as an empty object). */
    private static JsonNode check(Reply r, String checkId) {
        for (JsonNode entry : r.body()) {
            for (JsonNode c : entry.get("Checks")) {
                if (c.get("CheckID").asText().equals(checkId)) {
                    return c;
                }
            }
        }
        return JSON.createObjectNode();
    }

    /**
     * Blocking queries on the service until the check has {@code status}; every answer must be a
     * wake-up with a higher index (the wait is far longer than the test's patience).
     */
    private Reply blockUntil(String service, String checkId, String status, long index) throws Exception {
        for (int i = 0; i < 20; i++) {
            Reply next = get("/v1/health/service/" + service + "?index=" + index + "&wait=60s");
            assertThat(next.index()).isGreaterThan(index);
            if (check(next, checkId).path("Status").asText().equals(status)) {
                return next;
            }
            index = next.index();
        }
        throw new AssertionError(checkId + " never became " + status);
    }

    @Test
    void anHttpCheckFollowsItsTargetAndWakesBlockingQueries() throws Exception {
        Backend backend = Backend.start(0);
        int port = backend.port();
        try {
            put("/v1/agent/service/register", """
                    {"Name": "web", "Port": 8080,
                     "Check": {"HTTP": "%s", "Interval": "200ms"}}""".formatted(backend.url("/health")));

            Reply r = get("/v1/health/service/web");
            if (!check(r, "service:web").path("Status").asText().equals("passing")) {
                r = blockUntil("web", "service:web", "passing", r.index());
            }
            assertThat(check(r, "service:web").get("Output").asText())
                    .isEqualTo("HTTP GET " + backend.url("/health") + ": 200 OK Output: ok");

            backend.close();
            r = blockUntil("web", "service:web", "critical", r.index());
            assertThat(check(r, "service:web").get("Output").asText())
                    .startsWith("HTTP GET " + backend.url("/health") + ": ");

            backend = Backend.start(port);
            r = blockUntil("web", "service:web", "passing", r.index());
            assertThat(check(r, "service:web").get("Type").asText()).isEqualTo("http");
        } finally {
            backend.close();
        }
    }

    @Test
    void aTtlCheckExpiresAndRecoversWithPass() throws Exception {
        put("/v1/agent/service/register", """
                {"Name": "worker", "Check": {"TTL": "1s", "Status": "passing"}}""");

        await().atMost(Duration.ofSeconds(10)).until(() ->
                check(get("/v1/health/service/worker"), "service:worker").path("Status").asText().equals("critical"));
        assertThat(check(get("/v1/health/service/worker"), "service:worker").get("Output").asText())
                .isEqualTo("TTL expired");

        put("/v1/agent/check/pass/service:worker?note=alive", "");

        JsonNode c = check(get("/v1/health/service/worker"), "service:worker");
        assertThat(c.get("Status").asText()).isEqualTo("passing");
        assertThat(c.get("Output").asText()).isEqualTo("alive");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                check(get("/v1/health/service/worker"), "service:worker").path("Status").asText().equals("critical"));
    }

    @Test
    void aServiceCriticalPastDeregisterCriticalServiceAfterIsRemoved() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        put("/v1/agent/service/register", """
                {"Name": "doomed", "Check": {"TCP": "127.0.0.1:%d", "Interval": "200ms",
                                             "DeregisterCriticalServiceAfter": "500ms"}}""".formatted(closed));
        assertThat(get("/v1/catalog/service/doomed").body()).hasSize(1);

        await().atMost(Duration.ofSeconds(10)).until(() -> get("/v1/catalog/service/doomed").body().isEmpty());
        assertThat(get("/v1/agent/checks").body().has("service:doomed")).isFalse();
    }
}

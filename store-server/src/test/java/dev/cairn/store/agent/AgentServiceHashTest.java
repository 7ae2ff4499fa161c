package dev.cairn.store.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.store.CairnServer;
import dev.cairn.store.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /v1/agent/service/<id>}: the service with its ContentHash, and hash-based blocking. */
class AgentServiceHashTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private CairnServer server;

    @BeforeEach
    void start() throws Exception {
        server = CairnServer.start(TestConfigs.dev("n1"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.httpPort() + path);
    }

    private void register(int port) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/v1/agent/service/register"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"Name\":\"web\",\"ID\":\"web1\",\"Port\":" + port + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    private CompletableFuture<HttpResponse<String>> get(String path) {
        return client.sendAsync(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aServiceCarriesItsContentHashAndABlockingReadWaitsForItToChange() throws Exception {
        register(8080);
        HttpResponse<String> first = get("/v1/agent/service/web1").get(10, TimeUnit.SECONDS);
        JsonNode body = JSON.readTree(first.body());
        String hash = body.get("ContentHash").asText();
        assertThat(body.get("Port").asInt()).isEqualTo(8080);
        assertThat(hash).isNotEmpty();
        assertThat(first.headers().firstValue("X-Consul-ContentHash")).hasValue(hash);

        HttpResponse<String> stale = get("/v1/agent/service/web1?hash=stale&wait=10s").get(5, TimeUnit.SECONDS);
        assertThat(JSON.readTree(stale.body()).get("ContentHash").asText()).as("a different hash answers at once").isEqualTo(hash);

        CompletableFuture<HttpResponse<String>> parked = get("/v1/agent/service/web1?hash=" + hash + "&wait=30s");
        register(8080); // the same registration: the hash stays, the read stays parked
        await("parked while the content is unchanged").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> !parked.isDone());

        register(9090);
        JsonNode changed = JSON.readTree(parked.get(10, TimeUnit.SECONDS).body());
        assertThat(changed.get("Port").asInt()).isEqualTo(9090);
        assertThat(changed.get("ContentHash").asText()).isNotEqualTo(hash);
    }

    @Test
    void anUnknownServiceIs404() throws Exception {
        assertThat(get("/v1/agent/service/nope").get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(404);
    }
}

package dev.cairn.store.health;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTP checks: 2xx passing, 429 warning, anything else critical, with Consul's output. */
class HttpProbeTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Backend backend;

    @BeforeEach
    void start() throws Exception {
        backend = Backend.start(0);
    }

    @AfterEach
    void stop() {
        backend.close();
        timer.shutdownNow();
    }

    private CheckResult probe(String url) throws Exception {
        return probe(url, "", Map.of(), "", Duration.ofSeconds(5));
    }

    private CheckResult probe(String url, String method, Map<String, List<String>> headers, String body,
                              Duration timeout) throws Exception {
        return new HttpProbe(client, timer, url, method, headers, body, timeout).run().get(10, TimeUnit.SECONDS);
    }

    @Test
    void a200IsPassingWithConsulsOutput() throws Exception {
        backend.body = "all good";

        CheckResult r = probe(backend.url("/health"));

        assertThat(r).isEqualTo(CheckResult.passing(
                "HTTP GET " + backend.url("/health") + ": 200 OK Output: all good"));
        assertThat(backend.lastRequest).contains("User-Agent=Consul Health Check");
    }

    @Test
    void a429IsWarning() throws Exception {
        backend.status = 429;
        backend.body = "slow down";

        assertThat(probe(backend.url("/"))).isEqualTo(CheckResult.warning(
                "HTTP GET " + backend.url("/") + ": 429 Too Many Requests Output: slow down"));
    }

    @Test
    void a500IsCritical() throws Exception {
        backend.status = 500;
        backend.body = "boom";

        assertThat(probe(backend.url("/"))).isEqualTo(CheckResult.critical(
                "HTTP GET " + backend.url("/") + ": 500 Internal Server Error Output: boom"));
    }

    @Test
    void onlyTheFirst4KbOfTheBodyIsKept() throws Exception {
        backend.body = "x".repeat(10_000);

        CheckResult r = probe(backend.url("/"));

        assertThat(r.status()).isEqualTo("passing");
        assertThat(r.output()).endsWith("Output: " + "x".repeat(4096));
    }

    @Test
    void methodHeadersAndBodyAreSent() throws Exception {
        CheckResult r = probe(backend.url("/ping"), "POST", Map.of("X-Token", List.of("abc")), "hello",
                Duration.ofSeconds(5));

        assertThat(r.output()).startsWith("HTTP POST " + backend.url("/ping") + ": 200 OK");
        assertThat(backend.lastRequest).isEqualTo("POST /ping X-Token=abc User-Agent=Consul Health Check hello");
    }

    @Test
    void aRefusedConnectionIsCriticalWithTheError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/health";

        CheckResult r = probe(url);

        assertThat(r).isEqualTo(CheckResult.critical("HTTP GET " + url + ": could not connect"));
        assertThat(probe(url)).as("the same failure gives the same output").isEqualTo(r);
    }

    @Test
    void noAnswerWithinTheTimeoutIsCritical() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {   // accepts (backlog) but never answers
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/";

            CheckResult r = probe(url, "", Map.of(), "", Duration.ofMillis(300));

            assertThat(r).isEqualTo(CheckResult.critical("HTTP GET " + url + ": request timed out after 300ms"));
        }
    }
}

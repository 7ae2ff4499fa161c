package dev.cairn.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Health checks that really run, in a real server process (CONSUL-API.md sections 7 and 8): HTTP,
 * TCP, script and TTL checks change status as their targets do, each change wakes a blocking
 * {@code /v1/health/service/<name>} query with a higher index, and DeregisterCriticalServiceAfter
 * removes a service. The server runs with the hidden test flags that shorten the reaper's period
 * and the floor under DeregisterCriticalServiceAfter from 30 s and 1 min to 1 s.
 */
@ExtendWith(CairnProcessExtension.class)
class HealthChecksIT {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Long enough that an answer "by timeout" cannot be mistaken for a wake-up. */
    private static final String LONG_WAIT = "wait=30s";
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(40);
    /** How long a check may take to notice its target changed: an interval of 1 s, plus slack for 2 loaded cores. */
    private static final Duration CHECK_NOTICES = Duration.ofSeconds(10);
    /** How long a query must stay parked after unrelated writes were acknowledged. */
    private static final Duration GRACE = Duration.ofMillis(700);

    @TempDir
    static Path dir;
    static CairnProcess server;
    static Http http;

    private final List<String> registered = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = CairnProcess.start(dir, "-check-reap-interval", "1s", "-min-deregister-critical-after", "1s",
                "-enable-script-checks");
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Checks keep running between tests otherwise, and their writes would only add noise. */
    @AfterEach
    void deregisterWhatTheTestRegistered() {
        for (String id : registered) {
            http.put("/v1/agent/service/deregister/" + id, "");
        }
    }

    @Test
    void httpCheckFollowsItsTargetAndEachChangeWakesTheBlockingHealthQuery() throws IOException {
        AtomicInteger answer = new AtomicInteger(200);
        HttpServer target = httpTarget(0, answer);
        int port = target.getAddress().getPort();
        try {
            register("""
                    {"Name": "hc-http", "Port": %d,
                     "Check": {"HTTP": "http://127.0.0.1:%d/health", "Interval": "1s", "Timeout": "2s"}}
                    """.formatted(port, port));
            String path = "/v1/health/service/hc-http";
            Http.Response passing = now(path, r -> status(r, "service:hc-http").equals("passing"));

            target.stop(0);
            Http.Response critical = wakes(path, passing.index(), r -> status(r, "service:hc-http").equals("critical"));
            assertThat(check(critical, "service:hc-http").get("Output").asText()).isNotEmpty();
            assertThat(http.get(path + "?passing").json()).as("?passing drops the failing instance").isEmpty();

            target = httpTarget(port, answer);   // the same port: the check's URL does not change
            Http.Response back = wakes(path, critical.index(), r -> status(r, "service:hc-http").equals("passing"));
            assertThat(http.get(path + "?passing").json()).hasSize(1);

            answer.set(429);
            Http.Response warning = wakes(path, back.index(), r -> status(r, "service:hc-http").equals("warning"));
            assertThat(check(warning, "service:hc-http").get("Type").asText()).isEqualTo("http");
        } finally {
            target.stop(0);
        }
    }

    @Test
    void ttlCheckExpiresToCriticalAndAPassBringsItBack() {
        register("""
                {"Name": "hc-ttl", "Check": {"TTL": "2s", "Status": "passing"}}
                """);
        String path = "/v1/health/service/hc-ttl";
        Http.Response passing = http.get(path);
        assertThat(status(passing, "service:hc-ttl")).isEqualTo("passing");

        Http.Response expired = wakes(path, passing.index(), r -> status(r, "service:hc-ttl").equals("critical"));
        assertThat(check(expired, "service:hc-ttl").get("Output").asText()).isEqualTo("TTL expired");

        CompletableFuture<Http.Response> parked = http.getAsync(path + "?index=" + expired.index() + "&" + LONG_WAIT,
                CLIENT_TIMEOUT);
        Http.Response pass = http.put("/v1/agent/check/pass/service:hc-ttl?note=alive%20again", "");
        assertThat(pass.status()).isEqualTo(200);
        Http.Response back = answered(parked, Duration.ofSeconds(3));
        assertThat(back.index()).isGreaterThan(expired.index());
        assertThat(status(back, "service:hc-ttl")).isEqualTo("passing");
        assertThat(check(back, "service:hc-ttl").get("Output").asText()).isEqualTo("alive again");
    }

    @Test
    void deregisterCriticalServiceAfterRemovesACriticalServiceButNotAHealthyOne() {
        // a TTL check with no Status starts critical; the one that is kept stays passing for a minute
        register("""
                {"Name": "hc-reap", "Check": {"TTL": "30s", "DeregisterCriticalServiceAfter": "1s"}}
                """);
        register("""
                {"Name": "hc-keep", "Check": {"TTL": "60s", "Status": "passing", "DeregisterCriticalServiceAfter": "1s"}}
                """);
        Http.Response before = http.get("/v1/health/service/hc-reap");
        assertThat(before.json()).hasSize(1);

        Http.Response gone = wakes("/v1/health/service/hc-reap", before.index(), r -> r.json().isEmpty());

        assertThat(gone.index()).isGreaterThan(before.index());
        assertThat(http.get("/v1/catalog/service/hc-reap").json()).isEmpty();
        assertThat(http.get("/v1/agent/services").json().has("hc-reap")).isFalse();
        assertThat(http.get("/v1/agent/checks").json().has("service:hc-reap")).isFalse();
        await("the passing service to outlive a few more reaps").during(Duration.ofMillis(2500))
                .atMost(Duration.ofSeconds(5))
                .until(() -> http.get("/v1/agent/services").json().has("hc-keep"));
    }

    @Test
    void tcpCheckIsPassingWhileSomethingListensAndCriticalOnceItStops() throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, LOOPBACK);
        try {
            register("""
                    {"Name": "hc-tcp", "Check": {"TCP": "127.0.0.1:%d", "Interval": "1s", "Timeout": "2s"}}
                    """.formatted(listener.getLocalPort()));
            String path = "/v1/health/service/hc-tcp";
            Http.Response passing = now(path, r -> status(r, "service:hc-tcp").equals("passing"));
            assertThat(check(passing, "service:hc-tcp").get("Type").asText()).isEqualTo("tcp");

            listener.close();
            wakes(path, passing.index(), r -> status(r, "service:hc-tcp").equals("critical"));
        } finally {
            listener.close();
        }
    }

    @Test
    void scriptCheckExitCodesMapToPassingWarningAndCritical() {
        register("""
                {"Name": "hc-script", "Checks": [
                  {"CheckID": "script-ok",   "Name": "ok",   "Args": ["sh", "-c", "echo all good"], "Interval": "1s"},
                  {"CheckID": "script-warn", "Name": "warn", "Args": ["sh", "-c", "exit 1"], "Interval": "1s"},
                  {"CheckID": "script-crit", "Name": "crit", "Args": ["sh", "-c", "echo broken >&2; exit 2"], "Interval": "1s"}]}
                """);

        await("the script checks to run").atMost(CHECK_NOTICES).untilAsserted(() -> {
            Http.Response r = http.get("/v1/health/service/hc-script");
            assertThat(status(r, "script-ok")).isEqualTo("passing");
            assertThat(status(r, "script-warn")).isEqualTo("warning");
            assertThat(status(r, "script-crit")).isEqualTo("critical");
            assertThat(check(r, "script-ok").get("Output").asText()).contains("all good");
            assertThat(check(r, "script-crit").get("Output").asText()).contains("broken");
        });
        assertThat(http.get("/v1/health/service/hc-script?passing").json()).isEmpty();
        assertThat(http.get("/v1/health/service/hc-script?passing=false").json())
                .as("passing=false (what Ecwid always sends) does not filter").hasSize(1);
    }

    @Test
    void aKvWriteOrAChangeToAnotherServiceDoesNotWakeAHealthQuery() {
        register("""
                {"Name": "iso-db", "ID": "iso-db-1", "Port": 5432}
                """);
        register("""
                {"Name": "iso-web", "ID": "iso-web-1", "Port": 80}
                """);
        Http.Response db = http.get("/v1/health/service/iso-db");
        assertThat(db.json()).hasSize(1);
        CompletableFuture<Http.Response> parked = http.getAsync(
                "/v1/health/service/iso-db?index=" + db.index() + "&" + LONG_WAIT, CLIENT_TIMEOUT);

        http.set("iso/some-key", "a KV write");
        register("""
                {"Name": "iso-web", "ID": "iso-web-2", "Port": 81, "Check": {"TTL": "30s", "Status": "passing"}}
                """);
        assertThat(http.put("/v1/agent/check/warn/service:iso-web-2", "").status()).isEqualTo(200);
        http.put("/v1/agent/service/deregister/iso-web-1", "");

        await("the query on iso-db to stay parked").during(GRACE).atMost(GRACE.plusSeconds(2))
                .until(() -> !parked.isDone());
        register("""
                {"Name": "iso-db", "ID": "iso-db-2", "Port": 5433}
                """);
        Http.Response woken = answered(parked, Duration.ofSeconds(3));
        assertThat(woken.json()).hasSize(2);
        assertThat(woken.index()).isGreaterThan(db.index());
    }

    // ------------------------------------------------------------------ helpers

    private void register(String json) {
        Http.Response r = http.put("/v1/agent/service/register", json);
        assertThat(r.status()).as("register %s: %s", json, r).isEqualTo(200);
        JsonNode body = parse(json);
        registered.add(body.has("ID") ? body.get("ID").asText() : body.get("Name").asText());
    }

    private static JsonNode parse(String json) {
        try {
            return Http.JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls (no blocking) until the health answer satisfies {@code want}: for a first state. */
    private static Http.Response now(String path, Predicate<Http.Response> want) {
        return await("GET " + path + " to reach the expected state").atMost(CHECK_NOTICES)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> http.get(path), want);
    }

    /**
     * Blocks on {@code path} from {@code index} until an answer satisfies {@code want}. Every
     * answer must be a wake-up, not the wait running out: it comes with a higher index, well within
     * the 30 s wait. (An output change alone may wake the query once before the status changes.)
     */
    private static Http.Response wakes(String path, long index, Predicate<Http.Response> want) {
        long deadline = System.nanoTime() + CHECK_NOTICES.toNanos();
        long last = index;
        while (true) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            assertThat(left.isNegative()).as("%s woke into the expected state within %s", path, CHECK_NOTICES).isFalse();
            CompletableFuture<Http.Response> parked = http.getAsync(path + "?index=" + last + "&" + LONG_WAIT,
                    CLIENT_TIMEOUT);
            Http.Response r = answered(parked, left);
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(r.index()).as("a blocking query on %s answers with a higher index than %d", path, last)
                    .isGreaterThan(last);
            if (want.test(r)) {
                return r;
            }
            last = r.index();
        }
    }

    private static Http.Response answered(CompletableFuture<Http.Response> parked, Duration within) {
        await("the blocking query to answer").atMost(within).until(parked::isDone);
        return parked.join();
    }

    /** The check {@code checkId} in the first entry of a health/service answer. */
    private static JsonNode check(Http.Response r, String checkId) {
        JsonNode entries = r.json();
        assertThat(entries).as("health entries: %s", r.body()).isNotEmpty();
        for (JsonNode c : entries.get(0).get("Checks")) {
            if (c.get("CheckID").asText().equals(checkId)) {
                return c;
            }
        }
        throw new AssertionError("no check " + checkId + " in " + r.body());
    }

    private static String status(Http.Response r, String checkId) {
        return check(r, checkId).get("Status").asText();
    }

    /** An HTTP server on 127.0.0.1 answering every request with {@code status}'s current value. */
    private static HttpServer httpTarget(int port, AtomicInteger status) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(LOOPBACK, port), 0);
        s.createContext("/", exchange -> {
            byte[] body = ("status " + status.get()).getBytes();
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        s.start();
        return s;
    }
}

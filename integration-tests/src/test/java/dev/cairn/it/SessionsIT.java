package dev.cairn.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sessions and locks in a real server process (CONSUL-API.md section 5): a session whose TTL runs
 * out, one that is destroyed, and one whose check goes critical each give up the keys they hold,
 * and {@code cairn lock}, run as real processes, lets one command run at a time. The server accepts
 * session TTLs down to 1 s (hidden test flag) instead of Consul's 10 s.
 */
@ExtendWith(CairnProcessExtension.class)
class SessionsIT {

    private static final String LONG_WAIT = "wait=30s";
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(40);
    /** A 2 s TTL is enforced after 3 s unrenewed (TTL plus a grace of at least 1 s), plus the timer's tick and slack. */
    private static final Duration TTL_EXPIRES = Duration.ofSeconds(10);
    private static final Duration PROMPTLY = Duration.ofSeconds(3);
    /** For a {@code cairn lock} process: a JVM start, a session, a lock, the command, clean-up. */
    private static final Duration LOCK_PROCESS = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static CairnProcess server;
    static Http http;

    @BeforeAll
    static void start() {
        server = CairnProcess.start(dir, "-min-session-ttl", "1s");
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anUnrenewedSessionTtlReleasesItsLockAndWakesABlockingGetOnTheKey() {
        ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor();
        try {
            String renewed = createSession("{\"Name\": \"renewed\", \"TTL\": \"1s\"}");
            // as clients do: renew every TTL/2
            renewer.scheduleAtFixedRate(() -> http.put("/v1/session/renew/" + renewed, ""), 0, 500, TimeUnit.MILLISECONDS);
            assertThat(acquire("ttl/renewed", renewed, "held")).isTrue();
            // 2 s rather than 1 s: room for a loaded machine between create, acquire and the GET
            String lapsing = createSession("{\"Name\": \"lapsing\", \"TTL\": \"2s\"}");
            assertThat(acquire("ttl/lapsing", lapsing, "held")).isTrue();
            Http.Response held = http.get("/v1/kv/ttl/lapsing");
            assertThat(entry(held).get("Session").asText()).isEqualTo(lapsing);
            assertThat(entry(held).get("LockIndex").asLong()).isEqualTo(1);

            CompletableFuture<Http.Response> parked = http.getAsync(
                    "/v1/kv/ttl/lapsing?index=" + held.index() + "&" + LONG_WAIT, CLIENT_TIMEOUT);

            await("the unrenewed session to expire and wake the query").atMost(TTL_EXPIRES).until(parked::isDone);
            Http.Response released = parked.join();
            assertThat(released.status()).isEqualTo(200);
            assertThat(released.index()).isGreaterThan(held.index());
            JsonNode e = entry(released);
            assertThat(e.has("Session")).as("Session is omitted once released: %s", e).isFalse();
            assertThat(e.get("LockIndex").asLong()).as("LockIndex is kept").isEqualTo(1);
            assertThat(released.value()).as("release keeps the value").isEqualTo("held");
            assertThat(http.get("/v1/session/info/" + lapsing).json()).isEmpty();

            assertThat(entry(http.get("/v1/kv/ttl/renewed")).get("Session").asText())
                    .as("the renewed session still holds its lock").isEqualTo(renewed);
            assertThat(http.get("/v1/session/info/" + renewed).json()).hasSize(1);
        } finally {
            renewer.shutdownNow();
        }
        // the default 15 s lock-delay keeps the key from being taken again at once
        String next = createSession("{\"TTL\": \"10s\"}");
        assertThat(acquire("ttl/lapsing", next, "mine")).as("acquire within the lock-delay").isFalse();
    }

    @Test
    void behaviorDeleteDeletesTheKeysOfADestroyedSession() {
        String session = createSession("{\"Behavior\": \"delete\", \"TTL\": \"30s\"}");
        assertThat(acquire("del/key", session, "v")).isTrue();
        Http.Response held = http.get("/v1/kv/del/key");
        CompletableFuture<Http.Response> parked = http.getAsync(
                "/v1/kv/del/key?index=" + held.index() + "&" + LONG_WAIT, CLIENT_TIMEOUT);

        Http.Response destroyed = http.put("/v1/session/destroy/" + session, "");
        assertThat(destroyed.body()).isEqualTo("true");

        await().atMost(PROMPTLY).until(parked::isDone);
        assertThat(parked.join().status()).isEqualTo(404);
        assertThat(parked.join().index()).isGreaterThan(held.index());
        assertThat(http.get("/v1/kv/del/key").status()).isEqualTo(404);
    }

    @Test
    void aSessionTiedToACheckIsInvalidatedWhenTheCheckGoesCritical() {
        Http.Response reg = http.put("/v1/agent/service/register",
                "{\"Name\": \"locker\", \"Check\": {\"TTL\": \"60s\", \"Status\": \"passing\"}}");
        assertThat(reg.status()).isEqualTo(200);
        String session = createSession("{\"Checks\": [\"serfHealth\", \"service:locker\"]}");
        assertThat(acquire("checked/key", session, "v")).isTrue();
        Http.Response held = http.get("/v1/kv/checked/key");
        CompletableFuture<Http.Response> parked = http.getAsync(
                "/v1/kv/checked/key?index=" + held.index() + "&" + LONG_WAIT, CLIENT_TIMEOUT);

        assertThat(http.put("/v1/agent/check/fail/service:locker?note=down", "").status()).isEqualTo(200);

        await("the session to be invalidated").atMost(PROMPTLY).until(parked::isDone);
        JsonNode e = entry(parked.join());
        assertThat(e.has("Session")).as("%s", e).isFalse();
        assertThat(e.get("LockIndex").asLong()).isEqualTo(1);
        assertThat(http.get("/v1/session/info/" + session).json()).isEmpty();
        Http.Response refused = http.put("/v1/session/create", "{\"Checks\": [\"serfHealth\", \"service:locker\"]}");
        assertThat(refused.status()).as("a session on a critical check: %s", refused).isBetween(400, 599);
        assertThat(refused.body()).contains("critical");
        http.put("/v1/agent/service/deregister/locker", "");
    }

    @Test
    void cairnLockRunsOneCommandAtATimeAndExitsWithTheCommandsCode(@TempDir Path work) throws Exception {
        Path order = work.resolve("order.txt");
        Path go = work.resolve("go");
        // the first holder waits (at most 60 s) for the test to say go, so the second one surely contends
        Process first = lock(work, "first", "echo first-start >> '" + order + "'; "
                + "i=0; while [ ! -e '" + go + "' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; "
                + "echo first-end >> '" + order + "'; exit 3");
        Process second = null;
        try {
            await("the first cairn lock to run its command").atMost(LOCK_PROCESS)
                    .until(() -> lines(order).contains("first-start") || !first.isAlive());
            assertThat(first.isAlive()).as("first cairn lock is running: %s", log(work, "first")).isTrue();
            JsonNode lockKey = entry(http.get("/v1/kv/it-lock/.lock"));
            assertThat(lockKey.has("Session")).as("the lock key is held: %s", lockKey).isTrue();

            Process secondProcess = lock(work, "second", "echo second-start >> '" + order + "'; "
                    + "echo second-end >> '" + order + "'; exit 0");
            second = secondProcess;
            await("the second cairn lock to create its session").atMost(LOCK_PROCESS)
                    .until(() -> hasSessionNamed("second") || !secondProcess.isAlive());
            await("the second cairn lock to wait rather than run").during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> secondProcess.isAlive() && lines(order).equals(List.of("first-start")));

            Files.createFile(go);
            assertThat(first.waitFor(LOCK_PROCESS.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).as("the command's exit code: %s", log(work, "first")).isEqualTo(3);
            assertThat(secondProcess.waitFor(LOCK_PROCESS.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(secondProcess.exitValue()).as("%s", log(work, "second")).isZero();

            assertThat(lines(order)).containsExactly("first-start", "first-end", "second-start", "second-end");
            Http.Response after = http.get("/v1/kv/it-lock/.lock");
            assertThat(after.status() == 404 || !entry(after).has("Session"))
                    .as("nobody holds the lock afterwards: %s", after).isTrue();
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String createSession(String body) {
        Http.Response r = http.put("/v1/session/create", body);
        assertThat(r.status()).as("session create %s: %s", body, r).isEqualTo(200);
        return r.json().get("ID").asText();
    }

    private static boolean hasSessionNamed(String name) {
        for (JsonNode s : http.get("/v1/session/list").json()) {
            if (s.get("Name").asText().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean acquire(String key, String session, String value) {
        Http.Response r = http.put("/v1/kv/" + key + "?acquire=" + session, value);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return Boolean.parseBoolean(r.body());
    }

    private static JsonNode entry(Http.Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.json().get(0);
    }

    /** {@code cairn lock -http-addr ... it-lock COMMAND} as a real process, its output to NAME.log. */
    private static Process lock(Path work, String name, String command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(CairnProcess.javaBinary(), "-Xmx256m", "-jar",
                CairnProcess.jar().toString(), "lock", "-http-addr", "127.0.0.1:" + server.httpPort(),
                "-name", name, "it-lock", command));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(name + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
    }

    private static String log(Path work, String name) {
        try {
            return Files.readString(work.resolve(name + ".log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }
}

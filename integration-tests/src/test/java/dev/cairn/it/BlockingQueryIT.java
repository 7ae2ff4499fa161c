package dev.cairn.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Blocking queries (CONSUL-API.md section 2): a query parked with {@code ?index=N} answers as soon
 * as what it reads changes, stays parked while only other keys change, and answers with the same
 * index when {@code wait} runs out.
 */
@ExtendWith(CairnProcessExtension.class)
class BlockingQueryIT {

    /** Long enough that a query answering "by timeout" cannot be mistaken for a wake-up. */
    private static final String LONG_WAIT = "wait=30s";
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(40);
    /** How long a woken query may take to answer. */
    private static final Duration PROMPTLY = Duration.ofSeconds(3);
    /** How long a query must stay parked after an unrelated write was acknowledged. */
    private static final Duration GRACE = Duration.ofMillis(700);

    @TempDir
    static Path dir;
    static CairnProcess server;
    static Http http;

    @BeforeAll
    static void start() {
        server = CairnProcess.start(dir);
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void writeToTheKeyWakesItsQueryWithTheNewValueAndAHigherIndex() {
        http.set("bq/key", "old");
        Http.Response before = http.get("/v1/kv/bq/key");
        CompletableFuture<Http.Response> parked = block("/v1/kv/bq/key?index=" + before.index() + "&" + LONG_WAIT);

        http.set("bq/key", "new");

        Http.Response woken = answered(parked);
        assertThat(woken.status()).isEqualTo(200);
        assertThat(woken.value()).isEqualTo("new");
        assertThat(woken.index()).isGreaterThan(before.index()).isEqualTo(woken.modifyIndex());
    }

    @Test
    void writeToAnotherKeyLeavesTheQueryParked() {
        http.set("bq/watched", "v1");
        long index = http.get("/v1/kv/bq/watched").index();
        CompletableFuture<Http.Response> parked = block("/v1/kv/bq/watched?index=" + index + "&" + LONG_WAIT);

        http.set("bq/unrelated", "x");
        http.set("bq/watched-but-longer", "x");
        http.delete("/v1/kv/bq/unrelated");

        assertStillParked(parked);
        http.set("bq/watched", "v2");
        Http.Response woken = answered(parked);
        assertThat(woken.value()).isEqualTo("v2");
        assertThat(woken.index()).isGreaterThan(index);
    }

    @Test
    void recurseQueryWakesOnAWriteUnderThePrefixButNotOutsideIt() {
        http.set("bqr/a", "1");
        long index = http.get("/v1/kv/bqr/?recurse").index();
        CompletableFuture<Http.Response> parked = block("/v1/kv/bqr/?recurse&index=" + index + "&" + LONG_WAIT);

        http.set("bqrx", "outside the prefix");
        assertStillParked(parked);
        http.set("bqr/deeper/b", "2");

        Http.Response woken = answered(parked);
        assertThat(woken.status()).isEqualTo(200);
        assertThat(woken.json()).hasSize(2);
        assertThat(woken.index()).isGreaterThan(index).isEqualTo(http.modifyIndexOf("bqr/deeper/b"));
    }

    @Test
    void recurseQueryWakesOnADeleteUnderThePrefix() {
        http.set("bqd/a", "1");
        http.set("bqd/b", "2");
        long index = http.get("/v1/kv/bqd/?recurse").index();
        CompletableFuture<Http.Response> parked = block("/v1/kv/bqd/?recurse&index=" + index + "&" + LONG_WAIT);

        http.delete("/v1/kv/bqd/a");

        Http.Response woken = answered(parked);
        assertThat(woken.status()).isEqualTo(200);
        assertThat(woken.json()).hasSize(1);
        assertThat(woken.index()).as("a delete moves the index forward, never back").isGreaterThan(index);
    }

    @Test
    void recurseQueryWakesWhenTheLastKeyUnderThePrefixIsDeleted() {
        http.set("bqe/only", "1");
        long index = http.get("/v1/kv/bqe/?recurse").index();
        CompletableFuture<Http.Response> parked = block("/v1/kv/bqe/?recurse&index=" + index + "&" + LONG_WAIT);

        http.delete("/v1/kv/bqe/?recurse");

        Http.Response woken = answered(parked);
        assertThat(woken.status()).isEqualTo(404);
        assertThat(woken.index()).isGreaterThan(index);
    }

    @Test
    void queryOnAMissingKeyWakesWhenTheKeyIsCreated() {
        http.set("bqm/warm-up", "the store is not empty");
        Http.Response missing = http.get("/v1/kv/bqm/later");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.index()).isGreaterThanOrEqualTo(1);
        CompletableFuture<Http.Response> parked = block("/v1/kv/bqm/later?index=" + missing.index() + "&" + LONG_WAIT);

        http.set("bqm/later", "here");

        Http.Response woken = answered(parked);
        assertThat(woken.status()).isEqualTo(200);
        assertThat(woken.value()).isEqualTo("here");
        assertThat(woken.index()).isGreaterThan(missing.index());
    }

    /**
     * What consul-template does on a fresh server: read a key that does not exist yet, block on the
     * 404's index, and expect the first write of that key to wake it. If the index a 404 reports
     * on an empty store equals the index of the first write, the query sleeps the whole wait.
     */
    @Test
    void firstWriteOnAFreshServerWakesAQueryOnTheMissingKey(@TempDir Path freshDir) {
        try (CairnProcess fresh = CairnProcess.start(freshDir)) {
            Http client = fresh.http();
            Http.Response missing = client.get("/v1/kv/first");
            assertThat(missing.status()).isEqualTo(404);
            CompletableFuture<Http.Response> parked = client.getAsync(
                    "/v1/kv/first?index=" + missing.index() + "&wait=5s", CLIENT_TIMEOUT);

            client.set("first", "hello");
            long written = System.nanoTime();

            // let it run out rather than fail at once, so the report shows what it answered
            Http.Response answer = parked.orTimeout(20, TimeUnit.SECONDS).join();
            long afterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.index())
                    .as("X-Consul-Index answered %d ms after creating the key, blocking on the 404's index %d "
                            + "(key's ModifyIndex %d)", afterMillis, missing.index(), answer.modifyIndex())
                    .isGreaterThan(missing.index());
            assertThat(afterMillis).as("ms from the write to the answer").isLessThan(PROMPTLY.toMillis());
        }
    }

    @Test
    void waitRunsOutAfterAboutWaitWithTheSameIndex() {
        http.set("bqw/quiet", "v");
        Http.Response before = http.get("/v1/kv/bqw/quiet");

        long started = System.nanoTime();
        Http.Response r = http.get("/v1/kv/bqw/quiet?index=" + before.index() + "&wait=2s");
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.index()).isEqualTo(before.index());
        assertThat(r.value()).isEqualTo("v");
        // wait plus at most wait/16 of jitter (2125 ms), plus slack for a loaded 2-core machine
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(2000).isLessThan(2125 + 600);
    }

    @Test
    void waitInMillisecondsAsTheGoClientSendsIt() {
        http.set("bqw/ms", "v");
        long index = http.get("/v1/kv/bqw/ms").index();

        long started = System.nanoTime();
        Http.Response r = http.get("/v1/kv/bqw/ms?index=" + index + "&wait=1500ms");
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(r.status()).isEqualTo(200);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(1500).isLessThan(1594 + 600);
    }

    @Test
    void indexAheadOfTheServerStillBlocksUntilTheWait() {
        http.set("bqw/ahead", "v");
        long index = http.get("/v1/kv/bqw/ahead").index();

        long started = System.nanoTime();
        Http.Response r = http.get("/v1/kv/bqw/ahead?index=" + (index + 1_000_000) + "&wait=1s");

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(1000);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.index()).isEqualTo(index);
    }

    @Test
    void unparsableWaitOrIndexIs400() {
        for (String wait : new String[] {"abc", "10", "5x", "1.5.s"}) {
            Http.Response r = http.get("/v1/kv/bqw/x?index=1&wait=" + wait);
            assertThat(r.status()).as("wait=" + wait).isEqualTo(400);
            assertThat(r.body()).isEqualTo("Invalid wait time");
        }
        for (String index : new String[] {"abc", "-1", "1.0", "18446744073709551616"}) {
            Http.Response r = http.get("/v1/kv/bqw/x?index=" + index + "&wait=1s");
            assertThat(r.status()).as("index=" + index).isEqualTo(400);
            assertThat(r.body()).isEqualTo("Invalid index");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static CompletableFuture<Http.Response> block(String path) {
        return http.getAsync(path, CLIENT_TIMEOUT);
    }

    private static Http.Response answered(CompletableFuture<Http.Response> parked) {
        await("the blocking query to answer").atMost(PROMPTLY).until(parked::isDone);
        return parked.join();
    }

    /** The query must not answer during a grace period after the writes above were acknowledged. */
    private static void assertStillParked(CompletableFuture<Http.Response> parked) {
        await("the blocking query to stay parked")
                .during(GRACE)
                .atMost(GRACE.plusSeconds(2))
                .until(() -> !parked.isDone());
    }
}

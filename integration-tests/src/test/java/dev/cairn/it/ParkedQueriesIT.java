package dev.cairn.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * DESIGN.md: "ten thousand parked queries must not need ten thousand threads". Parks 10,000
 * blocking queries on 100 keys, checks the server's thread count stays near idle, then writes each
 * key once and expects every query to answer with its key's new index.
 */
@ExtendWith(CairnProcessExtension.class)
class ParkedQueriesIT {

    private static final int QUERIES = 10_000;
    private static final int KEYS = 100;
    private static final int MAX_EXTRA_THREADS = 50;

    @Test
    void tenThousandParkedQueriesHoldNoThreadsAndAllWakeOnTheirWrite(@TempDir Path dir) throws IOException {
        try (CairnProcess server = CairnProcess.start(dir)) {
            Http http = server.http();
            StringBuilder txn = new StringBuilder("[");
            for (int k = 0; k < KEYS; k++) {
                txn.append(k == 0 ? "" : ",").append(KvApiIT.op("set", key(k), "before"));
            }
            assertThat(http.put("/v1/txn", txn.append("]").toString()).status()).isEqualTo(200);
            Map<String, Long> indexBefore = modifyIndexes(http);
            // warm the HTTP path so lazily started threads count as idle
            for (int k = 0; k < KEYS; k++) {
                http.get("/v1/kv/" + key(k));
            }
            int idleThreads = server.threadCount();

            List<String> paths = new ArrayList<>(QUERIES);
            for (int i = 0; i < QUERIES; i++) {
                String key = key(i % KEYS);
                paths.add("/v1/kv/" + key + "?index=" + indexBefore.get(key) + "&wait=60s");
            }
            try (RequestFanout fanout = new RequestFanout(server.httpPort(), paths)) {
                await("all " + QUERIES + " requests sent").atMost(Duration.ofSeconds(30))
                        .until(() -> fanout.sent() + fanout.failures().size() >= QUERIES);
                assertThat(fanout.failures()).isEmpty();

                // parked = the server has read every request (no bytes left in its receive queues)
                // and none has been answered
                AtomicInteger maxThreads = new AtomicInteger(server.threadCount());
                await("the server to read all " + QUERIES + " requests").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            maxThreads.accumulateAndGet(server.threadCount(), Math::max);
                            return unreadServerSockets(server.httpPort(), QUERIES) == 0;
                        });
                await("the queries to stay parked").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> {
                            maxThreads.accumulateAndGet(server.threadCount(), Math::max);
                            return fanout.answered() == 0;
                        });
                System.out.printf("parked %d queries: server threads idle %d, max while parked %d%n",
                        QUERIES, idleThreads, maxThreads.get());
                assertThat(maxThreads.get()).as("server threads with %d parked queries (idle: %d)",
                        QUERIES, idleThreads).isLessThanOrEqualTo(idleThreads + MAX_EXTRA_THREADS);

                long writeStarted = System.nanoTime();
                List<CompletableFuture<Http.Response>> writes = new ArrayList<>();
                for (int k = 0; k < KEYS; k++) {
                    writes.add(http.sendAsync("PUT", "/v1/kv/" + key(k), "after".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30)));
                }
                writes.forEach(w -> assertThat(w.join().body()).isEqualTo("true"));
                long writesAcked = System.nanoTime();
                await("every parked query to answer").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> fanout.answered() + fanout.failures().size() >= QUERIES);
                assertThat(fanout.failures()).isEmpty();

                Map<String, Long> indexAfter = modifyIndexes(http);
                long lastAnswer = 0;
                long[] times = new long[QUERIES];
                for (int i = 0; i < QUERIES; i++) {
                    RequestFanout.Answer a = fanout.answer(i);
                    String key = key(i % KEYS);
                    assertThat(a.status()).as(fanout.path(i)).isEqualTo(200);
                    assertThat(a.index()).as(fanout.path(i)).isEqualTo(indexAfter.get(key))
                            .isGreaterThan(indexBefore.get(key));
                    assertThat(a.body()).as(fanout.path(i)).contains("\"Value\":\"YWZ0ZXI=\""); // "after"
                    lastAnswer = Math.max(lastAnswer, a.nanos());
                    times[i] = a.nanos() - writeStarted;
                }
                Arrays.sort(times);
                System.out.printf("woke %d parked queries: %d ms from the first write to the last answer "
                                + "(writes acknowledged after %d ms; answers: first %d ms, median %d ms)%n",
                        QUERIES, TimeUnit.NANOSECONDS.toMillis(lastAnswer - writeStarted),
                        TimeUnit.NANOSECONDS.toMillis(writesAcked - writeStarted),
                        TimeUnit.NANOSECONDS.toMillis(times[0]), TimeUnit.NANOSECONDS.toMillis(times[QUERIES / 2]));
            }
        }
    }

    private static String key(int k) {
        return String.format("park/k%03d", k);
    }

    private static Map<String, Long> modifyIndexes(Http http) {
        Map<String, Long> out = new HashMap<>();
        for (JsonNode e : http.get("/v1/kv/park/?recurse").json()) {
            out.put(e.get("Key").asText(), e.get("ModifyIndex").asLong());
        }
        return out;
    }

    /**
     * Counts established server-side sockets on {@code port} with unread bytes, from
     * /proc/net/tcp and tcp6 (columns: sl, local, remote, state, tx_queue:rx_queue, ...).
     * Returns {@code expected} until at least that many connections are established.
     */
    private static int unreadServerSockets(int port, int expected) {
        String localPort = String.format(":%04X", port);
        int established = 0;
        int unread = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                if (table.endsWith("6")) {
                    continue;
                }
                throw new UncheckedIOException(e);
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length < 5 || !f[1].endsWith(localPort) || !f[3].equals("01")) {
                    continue;
                }
                established++;
                String rxQueue = f[4].substring(f[4].indexOf(':') + 1);
                if (Long.parseLong(rxQueue, 16) > 0) {
                    unread++;
                }
            }
        }
        return established < expected ? expected : unread;
    }
}

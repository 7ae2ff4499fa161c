package dev.cairn.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Durability: what a server acknowledged is there after a clean restart and after kill -9, with
 * the same CreateIndex/ModifyIndex/Flags, indexes never go backwards, and a restart after many
 * writes starts from a snapshot while the log before it is compacted away.
 */
@ExtendWith(CairnProcessExtension.class)
class PersistenceIT {

    private static final Pattern SEGMENT = Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-(\\d+))?");
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
    private static final Pattern LOADED = Pattern.compile("loaded snapshot .* \\(index (\\d+)\\)");

    @Test
    void keysFlagsAndIndexesSurviveACleanRestart(@TempDir Path dir) {
        try (CairnProcess server = CairnProcess.start(dir)) {
            Http http = server.http();
            http.put("/v1/kv/clean/a?flags=7", "alpha");
            http.put("/v1/kv/clean/b?flags=18446744073709551615", "beta");
            http.set("clean/gone", "deleted before the restart");
            http.set("clean/a", "alpha-2");
            http.put("/v1/txn", "[" + KvApiIT.op("set", "clean/c", "gamma") + "]");
            http.delete("/v1/kv/clean/gone");
            Http.Response before = http.get("/v1/kv/clean/?recurse");
            long missingIndexBefore = http.get("/v1/kv/clean/gone").index();

            assertThat(server.stop()).as("exit status after SIGTERM").isIn(0, 143);
            server.restart();

            Http.Response after = http.get("/v1/kv/clean/?recurse");
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.json()).as("entries with values, flags and indexes").isEqualTo(before.json());
            assertThat(after.index()).isEqualTo(before.index());
            assertThat(http.get("/v1/kv/clean/gone").status()).isEqualTo(404);
            assertThat(http.get("/v1/kv/clean/gone").index()).isGreaterThanOrEqualTo(missingIndexBefore);

            http.set("clean/d", "after");
            assertThat(http.modifyIndexOf("clean/d")).isGreaterThan(maxModifyIndex(before.json()))
                    .isGreaterThan(missingIndexBefore);
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesKill9(@TempDir Path dir) throws InterruptedException {
        try (CairnProcess server = CairnProcess.start(dir)) {
            Http http = server.http();
            Map<String, Long> acked = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong indexSeen = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                Thread t = new Thread(() -> {
                    for (int i = 0; i < 5_000 && !stop.get(); i++) {
                        String key = "k9/" + writer + "/" + i;
                        long flags = writer * 100_000L + i;
                        try {
                            Http.Response r = http.put("/v1/kv/" + key + "?flags=" + flags, "value-" + i);
                            if (r.status() == 200 && r.body().equals("true")) {
                                acked.put(key, flags);
                            }
                            if (i % 50 == 0) {
                                indexSeen.accumulateAndGet(http.get("/v1/kv/k9/?keys").index(), Math::max);
                            }
                        } catch (AssertionError e) {
                            return; // the server is gone
                        }
                    }
                }, "k9-writer-" + w);
                t.start();
                writers.add(t);
            }
            await("some writes acknowledged").atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 400);

            server.kill9();
            stop.set(true);
            for (Thread t : writers) {
                t.join(Duration.ofSeconds(30).toMillis());
            }
            Map<String, Long> acknowledged = new HashMap<>(acked);
            server.restart();

            // durability only: the log may still be replaying when the server first answers (see
            // readsDuringStartupNeverSeeAPartlyReplayedLog), so wait for the replay here
            Map<String, JsonNode> entries = new HashMap<>();
            Http.Response after = await("every acknowledged key to be back").atMost(Duration.ofSeconds(30))
                    .until(() -> http.get("/v1/kv/k9/?recurse"), r -> {
                        entries.clear();
                        if (r.status() == 200) {
                            r.json().forEach(e -> entries.put(e.get("Key").asText(), e));
                        }
                        return entries.keySet().containsAll(acknowledged.keySet());
                    });
            acknowledged.forEach((key, flags) -> {
                JsonNode e = entries.get(key);
                assertThat(e.get("Flags").asLong()).as(key).isEqualTo(flags);
                String i = key.substring(key.lastIndexOf('/') + 1);
                assertThat(decode(e.get("Value"))).as(key).isEqualTo("value-" + i);
            });
            assertThat(after.index()).as("X-Consul-Index never goes backwards").isGreaterThanOrEqualTo(indexSeen.get());
            long maxBefore = maxModifyIndex(after.json());
            http.set("k9/next", "after the crash");
            assertThat(http.modifyIndexOf("k9/next")).isGreaterThan(maxBefore);
            System.out.printf("kill -9: %d writes acknowledged before the kill, %d keys present after restart%n",
                    acknowledged.size(), entries.size());
        }
    }

    /**
     * A restarted server must not answer reads from a state machine that is still replaying the
     * log: readers would see keys vanish and X-Consul-Index go backwards (consul-template would
     * render the missing keys). From the moment the process starts, the last key written before
     * the kill is read every few ms; every answer must be that key at its index. (Consul answers
     * 500 "No cluster leader" until it can answer correctly.) The window is a race between log
     * replay and the HTTP listener coming up, so the log is made slow to replay (150 entries of
     * 100 keys with 1 KiB values) and the kill/restart is done up to three times.
     */
    @Test
    void readsDuringStartupNeverSeeAPartlyReplayedLog(@TempDir Path dir) {
        try (CairnProcess server = CairnProcess.start(dir)) {
            Http http = server.http();
            int batches = 150;
            int keysPerTxn = 100;
            writeBatches(http, "replay/", 0, batches, keysPerTxn, 1024);
            http.set("replay-last", "written last");
            long lastIndex = http.modifyIndexOf("replay-last");

            List<String> wrong = new ArrayList<>();
            for (int cycle = 1; cycle <= 3 && wrong.isEmpty(); cycle++) {
                server.kill9();
                server.restartNoWait();
                long restarted = System.nanoTime();
                List<String> answers = new ArrayList<>();
                await("the last key to be readable after restart " + cycle).atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(5))
                        .ignoreExceptions()
                        .until(() -> {
                            Http.Response r = http.get("/v1/kv/replay-last");
                            answers.add(r.status() + " index=" + r.index() + " at "
                                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted) + " ms");
                            return r.status() == 200 && r.index() == lastIndex;
                        });
                server.awaitReady();
                System.out.printf("restart %d: answers while starting: %s%n", cycle, answers);
                for (String a : answers.subList(0, answers.size() - 1)) {
                    if (!a.startsWith("5")) {
                        wrong.add("restart " + cycle + ": " + a);
                    }
                }
            }

            assertThat(wrong)
                    .as("answers to GET /v1/kv/replay-last while the server started (it was written at index %d "
                            + "before kill -9); 5xx would be fine, a 404 or an older index is not", lastIndex)
                    .isEmpty();
            assertThat(http.get("/v1/kv/replay/?keys").json()).hasSize(batches * keysPerTxn);
        }
    }

    @Test
    void restartLoadsASnapshotAndTheLogIsCompacted(@TempDir Path dir) throws IOException {
        int threshold = 100;
        try (CairnProcess server = CairnProcess.start(dir, "-snapshot-threshold", Integer.toString(threshold))) {
            Http http = server.http();
            int keysPerTxn = 10;
            int batches = 3 * threshold;
            writeBatches(http, "snap/a/", 0, batches, keysPerTxn);
            Path group = groupDir(server);
            await("a snapshot in " + group.resolve("sm")).atMost(Duration.ofSeconds(20))
                    .until(() -> latestSnapshotIndex(group).isPresent());
            long indexBefore = http.get("/v1/kv/snap/?keys").index();
            // Snapshots are taken in the background, so the later ones may not be on disk yet at the
            // kill; the first one covers indexes 0..threshold-1
            long snapshotOnDisk = latestSnapshotIndex(group).orElseThrow();

            server.kill9();
            server.restart();

            long loaded = loadedSnapshotIndex(server, 2);
            assertThat(loaded).as("restart loaded the snapshot on disk at the kill (index %d)", snapshotOnDisk)
                    .isGreaterThanOrEqualTo(Math.max(snapshotOnDisk, threshold - 1));
            awaitReplayed(http, indexBefore);
            assertAllBatches(http, "snap/a/", batches, keysPerTxn);

            // Ratis purges whole closed segments covered by a snapshot (and only after a purge gap
            // of entries): keep writing until the segment holding the first entries is deleted
            int more = 0;
            while (firstLogIndex(group) == 0 && more < 2_000) {
                writeBatches(http, "snap/b/", more, more + 40, 1);
                more += 40;
            }
            long firstIndex = firstLogIndex(group);
            long written = http.get("/v1/kv/snap/?keys").index();
            System.out.printf("compaction: %d + %d txns written up to index %d; log now starts at %d, "
                    + "latest snapshot %d; first restart loaded snapshot %d%n", batches, more, written, firstIndex,
                    latestSnapshotIndex(group).orElse(-1), loaded);
            assertThat(firstIndex).as("first index still in the log (segments: %s)", segments(group))
                    .isPositive();
            assertThat(latestSnapshotIndex(group).orElseThrow())
                    .as("the purged entries are covered by a snapshot").isGreaterThanOrEqualTo(firstIndex - 1);

            server.kill9();
            server.restart();

            assertThat(loadedSnapshotIndex(server, 3)).isGreaterThanOrEqualTo(firstIndex - 1);
            awaitReplayed(http, written);
            assertAllBatches(http, "snap/a/", batches, keysPerTxn);
            assertAllBatches(http, "snap/b/", more, 1);
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Waits until the snap/ prefix reports at least {@code index} again: the log after the
     * snapshot replays in the background (see readsDuringStartupNeverSeeAPartlyReplayedLog).
     */
    private static void awaitReplayed(Http http, long index) {
        await("snap/ back at index " + index).atMost(Duration.ofSeconds(30))
                .until(() -> http.get("/v1/kv/snap/?keys").index(), i -> i >= index);
    }

    /**
     * Transactions {@code from..to-1}, four at a time: up to four writes are in flight as separate
     * Raft entries (the server's group commit merges only what queues behind them), so this fills
     * the log about four times faster than one writer.
     */
    private static void writeBatches(Http http, String prefix, int from, int to, int keysPerTxn) {
        writeBatches(http, prefix, from, to, keysPerTxn, 0);
    }

    private static void writeBatches(Http http, String prefix, int from, int to, int keysPerTxn, int padding) {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int b = from; b < to; b++) {
                String batch = prefix + b;
                done.add(pool.submit(() -> writeBatch(http, batch, keysPerTxn, padding)));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("writing " + prefix + from + ".." + to + " failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One /v1/txn (one Raft entry) setting {@code n} keys {@code prefix/i = prefix/i + padding}. */
    private static void writeBatch(Http http, String prefix, int n, int padding) {
        ArrayNode ops = Http.JSON.createArrayNode();
        for (int i = 0; i < n; i++) {
            String key = prefix + "/" + i;
            ObjectNode kv = Http.JSON.createObjectNode().put("Verb", "set").put("Key", key)
                    .put("Value", Base64.getEncoder().encodeToString((key + " ".repeat(padding))
                            .getBytes(StandardCharsets.UTF_8)));
            ops.add(Http.JSON.createObjectNode().set("KV", kv));
        }
        Http.Response r = http.put("/v1/txn", ops.toString());
        if (r.status() != 200) {
            throw new AssertionError("txn failed: " + r);
        }
    }

    private static void assertAllBatches(Http http, String prefix, int batches, int keysPerBatch) {
        if (batches == 0) {
            return;
        }
        Http.Response r = http.get("/v1/kv/" + prefix + "?recurse");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).hasSize(batches * keysPerBatch);
        r.json().forEach(e -> assertThat(decode(e.get("Value")).strip()).isEqualTo(e.get("Key").asText()));
    }

    private static Path groupDir(CairnProcess server) {
        try (Stream<Path> dirs = Files.list(server.dataDir().resolve("raft"))) {
            List<Path> groups = dirs.filter(Files::isDirectory).toList();
            assertThat(groups).as("raft group directories").hasSize(1);
            return groups.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static OptionalLong latestSnapshotIndex(Path group) throws IOException {
        try (Stream<Path> files = Files.list(group.resolve("sm"))) {
            return files.map(f -> SNAPSHOT.matcher(f.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToLong(m -> Long.parseLong(m.group(2)))
                    .max();
        }
    }

    private static List<String> segments(Path group) {
        try (Stream<Path> files = Files.list(group.resolve("current"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> SEGMENT.matcher(n).matches()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lowest log index any segment file in {@code current/} still holds. */
    private static long firstLogIndex(Path group) {
        return segments(group).stream()
                .map(SEGMENT::matcher)
                .filter(Matcher::matches)
                .mapToLong(m -> Long.parseLong(m.group(1)))
                .min()
                .orElseThrow(() -> new AssertionError("no log segments in " + group.resolve("current")));
    }

    /** The snapshot index the {@code start}-th start of the server (1-based) logged loading. */
    private static long loadedSnapshotIndex(CairnProcess server, int start) {
        String[] starts = server.log().split("(?m)^---- ");
        assertThat(starts.length - 1).as("server starts in the log").isGreaterThanOrEqualTo(start);
        Matcher m = LOADED.matcher(starts[start]);
        assertThat(m.find()).as("start %d logged 'loaded snapshot':%n%s", start, starts[start]).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long maxModifyIndex(JsonNode entries) {
        long max = 0;
        for (JsonNode e : entries) {
            max = Math.max(max, e.get("ModifyIndex").asLong());
        }
        return max;
    }

    private static String decode(JsonNode value) {
        return value == null || value.isNull() ? "" : new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8);
    }
}

package dev.cairn.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.it.CairnProcess;
import dev.cairn.it.CairnProcessExtension;
import dev.cairn.it.Http;
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
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Losing servers: the leader killed (-9) in the middle of writes and CAS from several clients; one
 * server of three lost (the others keep writing); two lost (no leader: fast 500s, not hangs); and
 * the lost ones restarted, one of them so far behind that the log it missed is gone and it must be
 * sent a snapshot ({@code -snapshot-threshold 200}).
 */
@ExtendWith(CairnProcessExtension.class)
class ClusterFailoverIT {

    /** Ratis' segment file names (as in PersistenceIT) and the state machine's log line on loading a snapshot. */
    private static final Pattern SEGMENT = Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-(\\d+))?");
    private static final Pattern LOADED = Pattern.compile("loaded snapshot .* \\(index (\\d+)\\)");

    @Test
    void leaderKilledDuringWritesAndCasLosesNothingAcknowledgedAndStaysLinearizable(@TempDir Path dir) throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.start(dir, 3)) {
            List<Integer> ports = httpPorts(cluster.servers());
            KvWorkload workload = new KvWorkload(ports, List.of("lin/a", "lin/b", "lin/c"), "acked", 6, 1_000,
                    Duration.ofSeconds(90), Duration.ofSeconds(3)).start();
            await("300 operations answered before the kill").atMost(Duration.ofSeconds(30))
                    .until(() -> workload.acknowledged() >= 300);

            CairnProcess oldLeader = cluster.leader();
            // a watcher (a template daemon, say) parked on a follower across the failover
            CairnProcess watched = cluster.followers().get(0);
            watched.http().set("failover/watched", "before");
            long watchedIndex = watched.http().get("/v1/kv/failover/watched").index();
            CompletableFuture<Http.Response> parked = watched.http()
                    .getAsync("/v1/kv/failover/watched?index=" + watchedIndex + "&wait=60s", Duration.ofSeconds(70));
            // parked for real (its first linearizable read done) before the leader goes
            await("the query to park on " + watched.node()).atMost(Duration.ofSeconds(10))
                    .until(() -> watched.http().parkedQueries() >= 1);
            long killedAt = System.nanoTime();
            oldLeader.kill9();
            CairnProcess newLeader = cluster.leader(Duration.ofSeconds(20));
            assertThat(parked).as("the blocking query on %s, still parked after the failover", watched.node())
                    .isNotDone();
            CairnProcess writer = cluster.servers().stream().filter(s -> s != oldLeader && s != watched)
                    .findFirst().orElseThrow();
            await("a write through " + writer.node() + " under the new leader").atMost(Duration.ofSeconds(30))
                    .ignoreExceptions().until(() -> writer.http().put("/v1/kv/failover/watched", "after").body(), "true"::equals);
            Http.Response woken = parked.get(20, TimeUnit.SECONDS);
            assertThat(woken.value()).as("the parked query on %s answers with the new data", watched.node())
                    .isEqualTo("after");
            assertThat(woken.index()).isGreaterThan(watchedIndex);
            long electionMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            int answeredAtNewLeader = workload.acknowledged();
            int insertsAtNewLeader = workload.acknowledgedInserts();
            await("inserts acknowledged under the new leader").atMost(Duration.ofSeconds(30))
                    .until(() -> workload.acknowledgedInserts() >= insertsAtNewLeader + 20);
            oldLeader.restartNoWait(); // rejoins while the clients keep going
            await("600 operations answered after the failover").atMost(Duration.ofSeconds(60))
                    .until(() -> workload.acknowledged() >= answeredAtNewLeader + 600);
            workload.stop();
            KvWorkload.Result result = workload.await();
            oldLeader.awaitReady();
            workload.finalReads(ports);

            long start = System.nanoTime();
            LinearizabilityChecker.Result verdict = new LinearizabilityChecker().check(result.history());
            System.out.printf("leader kill -9: %s killed, %s elected after %d ms; %s; checked in %d ms: %s%n",
                    oldLeader.node(), newLeader.node(), electionMs, result,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), verdict.describe());

            assertThat(newLeader).isNotSameAs(oldLeader);
            assertThat(electionMs).as("ms from kill -9 of the leader to a new leader all servers agree on")
                    .isLessThan(10_000);
            long acknowledgedAfterKill = result.history().ops().stream()
                    .filter(o -> o.kind() != History.Kind.READ && o.outcome() == History.Outcome.OK
                            && o.invokeNanos() > killedAt && (o.kind() == History.Kind.WRITE || o.applied()))
                    .count();
            assertThat(acknowledgedAfterKill).as("register writes acknowledged after the kill").isPositive();
            assertThat(verdict.verdict()).as(verdict.describe()).isEqualTo(LinearizabilityChecker.Verdict.LINEARIZABLE);
            // a write a survivor had forwarded to the dying leader is proposed again, not failed
            for (CairnProcess s : cluster.servers()) {
                if (s != oldLeader) {
                    assertThat(result.writeErrorsFrom(s.httpPort())).as("5xx answers to writes sent to %s, "
                            + "which stayed up through the leader's kill", s.node()).isEmpty();
                }
            }
            for (CairnProcess s : cluster.servers()) {
                Map<String, String> present = values(s.http().get("/v1/kv/acked/?recurse"));
                assertThat(present).as("acknowledged inserts on %s (default read)", s.node())
                        .containsAllEntriesOf(result.acknowledgedInserts());
            }
        }
    }

    @Test
    void minorityLossKeepsWritingMajorityLossFailsFastAndRestartedServersCatchUp(@TempDir Path dir) throws Exception {
        int threshold = 200;
        try (ClusterProcesses cluster = ClusterProcesses.start(dir, 3, "-snapshot-threshold", Integer.toString(threshold),
                // small log segments (hidden test flag): a snapshot then purges the log after a few
                // hundred small writes instead of 32 MB of them
                "-raft-segment-size", "65536")) {
            CairnProcess leader = cluster.leader();
            List<CairnProcess> followers = cluster.followers();
            CairnProcess behind = followers.get(0);
            CairnProcess other = followers.get(1);
            leader.http().set("loss/before", "written by three");

            // one of three lost: the other two keep taking writes, through either of them, until the
            // log the lost server would need is compacted away (Ratis purges only closed segments
            // covered by a snapshot: hence 1 KiB values, and four writers, so that entries are not all
            // merged into a few by group commit)
            behind.kill9();
            String padding = "x".repeat(1024);
            int n = 0;
            long writeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            ExecutorService writers = Executors.newFixedThreadPool(4);
            try {
                while (n < 4_000 && System.nanoTime() < writeDeadline
                        && (n < 3 * threshold || firstLogIndex(leader) == 0 || firstLogIndex(other) == 0)) {
                    List<Future<?>> round = new ArrayList<>();
                    for (int i = 0; i < 200; i++, n++) {
                        int k = n;
                        CairnProcess to = k % 2 == 0 ? leader : other;
                        round.add(writers.submit(() -> to.http().set("loss/while-behind/" + k, "v" + k + padding)));
                    }
                    for (Future<?> f : round) {
                        f.get(60, TimeUnit.SECONDS);
                    }
                }
            } finally {
                writers.shutdownNow();
            }
            long compactedUpTo = Math.min(firstLogIndex(leader), firstLogIndex(other)) - 1;
            assertThat(compactedUpTo).as("log compacted on the servers still up after %d writes", n).isPositive();
            assertThat(other.http().get("/v1/kv/loss/while-behind/?keys").json()).hasSize(n);

            // two of three lost: no leader; writes and default reads fail with 500 "No cluster leader", in bounded time
            other.kill9();
            long start = System.nanoTime();
            Http.Response write = answerWithin30s(leader, "PUT", "/v1/kv/loss/no-quorum", "x");
            long writeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(write.status()).as("write without a quorum: %s", write).isEqualTo(500);
            assertThat(write.body()).startsWith("No cluster leader");
            assertThat(writeMs).as("ms until the write without a quorum was answered (spec: about 10 s)").isLessThan(20_000);
            Http.Response read = await("a default read without a quorum to fail").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> answerWithin30s(leader, "GET", "/v1/kv/loss/before", null), r -> r.status() != 200);
            assertThat(read.status()).as("%s", read).isEqualTo(500);
            assertThat(read.body()).startsWith("No cluster leader");
            Http.Response stale = await("?stale read to say no leader is known").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> leader.http().get("/v1/kv/loss/before?stale"),
                            r -> "false".equals(r.header("X-Consul-Knownleader")));
            assertThat(stale.status()).as("?stale still answers from local state: %s", stale).isEqualTo(200);
            assertThat(stale.value()).isEqualTo("written by three");
            assertThat(ClusterProcesses.leaderSeenBy(leader)).isEmpty();

            // a majority again: a leader, and writes work
            other.restart();
            CairnProcess newLeader = cluster.leader(Duration.ofSeconds(30));
            await("writes to work again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> leader.http().put("/v1/kv/loss/after", "back").body(), "true"::equals);

            // the server that missed more than a snapshot's worth of entries catches up
            behind.restart();
            int written = n;
            await(behind.node() + " to hold every key written while it was down (local ?stale reads)")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> behind.http().get("/v1/kv/loss/while-behind/?keys&stale"),
                            r -> r.status() == 200 && r.json().size() == written);
            Matcher installed = LOADED.matcher(lastStart(behind));
            assertThat(installed.find()).as("%s was sent a snapshot (its log after restarting says 'loaded snapshot'):%n%s",
                    behind.node(), lastStart(behind)).isTrue();
            assertThat(Long.parseLong(installed.group(1))).as("index of the snapshot installed on %s", behind.node())
                    .isGreaterThanOrEqualTo(compactedUpTo);
            Http.Response afterOnBehind = behind.http().get("/v1/kv/loss/after");
            assertThat(afterOnBehind.status()).isEqualTo(200);
            assertThat(afterOnBehind.value()).isEqualTo("back");
            assertThat(behind.http().get("/v1/kv/loss/?keys&stale").json())
                    .isEqualTo(newLeader.http().get("/v1/kv/loss/?keys").json());
            for (int i : List.of(0, 1, written / 2, written - 1)) {
                Http.Response e = behind.http().get("/v1/kv/loss/while-behind/" + i + "?stale");
                assertThat(e.value()).as("loss/while-behind/%d on %s", i, behind.node()).isEqualTo("v" + i + padding);
            }
            System.out.printf("majority loss: write answered %d ms after losing the quorum; %s caught up on %d writes "
                    + "(log compacted up to %d); its log mentions snapshots:%n%s%n", writeMs, behind.node(), written,
                    compactedUpTo, snapshotLines(behind));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The server's answer, failing clearly if it takes 30 s (the server should answer in about 10). */
    private static Http.Response answerWithin30s(CairnProcess server, String method, String path, String body) {
        try {
            return server.http().sendAsync(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(30)).get(35, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " on " + server.node()
                    + " got no answer within 30 s (expected 500 \"No cluster leader\" within about 10 s): " + e, e);
        }
    }

    static List<Integer> httpPorts(List<CairnProcess> servers) {
        return servers.stream().map(CairnProcess::httpPort).toList();
    }

    /** Key -> decoded value of a recurse GET (empty on 404). */
    static Map<String, String> values(Http.Response r) {
        Map<String, String> values = new HashMap<>();
        if (r.status() == 404) {
            return values;
        }
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        for (JsonNode e : r.json()) {
            JsonNode v = e.get("Value");
            values.put(e.get("Key").asText(), v == null || v.isNull() ? ""
                    : new String(Base64.getDecoder().decode(v.asText()), StandardCharsets.UTF_8));
        }
        return values;
    }

    /** Lines of the server's last start that mention snapshots. */
    private static String snapshotLines(CairnProcess server) {
        return Arrays.stream(lastStart(server).split("\n"))
                .filter(l -> l.toLowerCase().contains("snapshot"))
                .limit(10)
                .collect(Collectors.joining("\n"));
    }

    /** The server's log since it was last started. */
    private static String lastStart(CairnProcess server) {
        String[] starts = server.log().split("(?m)^---- ");
        return starts[starts.length - 1];
    }

    /** The lowest log index still on disk in the server's Raft group (0 until something is purged). */
    private static long firstLogIndex(CairnProcess server) {
        try (Stream<Path> groups = Files.list(server.dataDir().resolve("raft"))) {
            Path group = groups.filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> new AssertionError("no raft group dir in " + server.dataDir()));
            try (Stream<Path> files = Files.list(group.resolve("current"))) {
                return files.map(f -> SEGMENT.matcher(f.getFileName().toString()))
                        .filter(Matcher::matches)
                        .mapToLong(m -> Long.parseLong(m.group(1)))
                        .min()
                        .orElse(0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.cairn.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.it.CairnProcess;
import dev.cairn.it.CairnProcessExtension;
import dev.cairn.it.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three servers started with {@code -bootstrap-expect 3} and {@code -join}s, in a shuffled order,
 * form one cluster; any server takes writes, default reads are linearizable on every server,
 * blocking queries work on followers and {@code ?stale} reads say how stale they may be.
 */
@ExtendWith(CairnProcessExtension.class)
class ClusterFormationIT {

    @TempDir
    static Path dir;
    static ClusterProcesses cluster;
    static final List<String> firstServerAnswers = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        long seed = System.nanoTime();
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
        Collections.shuffle(order, new Random(seed));
        // the first server alone must wait for the others instead of electing itself
        cluster = ClusterProcesses.start(dir, 3, order, first -> await("n" + (order.get(0) + 1)
                        + " alone to name no leader").during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    String answer = leaderOrNothing(first);
                    if (answer != null) {
                        firstServerAnswers.add(answer);
                    }
                    return answer == null || answer.isEmpty();
                }));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aLoneServerWaitingForBootstrapExpectNamesNoLeader() {
        // answers from the first server before the others were started (none, if HTTP was not up yet)
        assertThat(firstServerAnswers).allMatch(String::isEmpty);
    }

    @Test
    void oneLeaderAndTheSamePeersOnEveryServer() {
        CairnProcess leader = cluster.leader();
        List<String> everyone = ClusterProcesses.addresses(cluster.servers());

        for (CairnProcess s : cluster.servers()) {
            assertThat(ClusterProcesses.leaderSeenBy(s)).as("leader seen by %s", s.node()).isEqualTo(leader.raftAddress());
            assertThat(ClusterProcesses.peersSeenBy(s)).as("peers seen by %s", s.node()).isEqualTo(everyone);
        }
    }

    @Test
    void raftConfigurationListsEveryServerAsAVoterAndOneLeader() {
        CairnProcess leader = cluster.leader();
        for (CairnProcess s : cluster.servers()) {
            Http.Response r = s.http().get("/v1/operator/raft/configuration");
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            JsonNode servers = r.json().get("Servers");
            assertThat(servers).as("Servers on %s: %s", s.node(), r.body()).hasSize(3);
            List<String> nodes = new ArrayList<>();
            for (JsonNode e : servers) {
                nodes.add(e.get("Node").asText());
                CairnProcess named = cluster.server(e.get("Node").asText());
                assertThat(e.get("ID").asText()).isEqualTo(named.node());
                assertThat(e.get("Address").asText()).isEqualTo(named.raftAddress());
                assertThat(e.get("Voter").asBoolean()).as("%s is a voter", named.node()).isTrue();
                assertThat(e.get("Leader").asBoolean()).as("%s is leader", named.node()).isEqualTo(named == leader);
            }
            assertThat(nodes).containsExactlyInAnyOrder("n1", "n2", "n3");
            // Consul reports the Raft index of the configuration (>= 1 after bootstrap); seen here: 0 or -1
            assertThat(r.json().get("Index").asLong()).as("Index on %s (Go clients decode it as a uint64)", s.node()).isNotNegative();
        }
    }

    @Test
    void aWriteToAFollowerIsReadAtOnceOnEveryServer() {
        CairnProcess follower = cluster.followers().get(0);

        follower.http().set("formation/via-follower", "written on " + follower.node());

        long index = -1;
        for (CairnProcess s : cluster.servers()) {
            for (String mode : List.of("", "?consistent")) {
                Http.Response r = s.http().get("/v1/kv/formation/via-follower" + mode);
                assertThat(r.status()).as("default%s read on %s right after the write: %s", mode, s.node(), r)
                        .isEqualTo(200);
                assertThat(r.value()).isEqualTo("written on " + follower.node());
                assertThat(r.header("X-Consul-Knownleader")).isEqualTo("true");
                index = index < 0 ? r.modifyIndex() : index;
                assertThat(r.modifyIndex()).as("ModifyIndex on %s", s.node()).isEqualTo(index);
            }
        }
    }

    @Test
    void concurrentWritesSentToFollowersShareTheLeadersRaftEntries() {
        CairnProcess leader = cluster.leader();
        List<CairnProcess> followers = cluster.followers();
        for (CairnProcess f : followers) {
            // the first write opens the follower's connection to the leader (meanwhile writes go
            // through the RaftClient); once it is up, writes are forwarded over it
            int[] n = {0};
            await(f.node() + " forwarding writes").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        f.http().set("formation/warm/" + f.node() + "/" + n[0]++, "x");
                        return counter(f, "cairn.raft.forwarded_writes") > 0;
                    });
        }
        long entriesBefore = counter(leader, "consul.raft.apply");
        List<Long> forwardedBefore = followers.stream().map(f -> counter(f, "cairn.raft.forwarded_writes")).toList();

        int perFollower = 60;
        List<CompletableFuture<Http.Response>> writes = new ArrayList<>();
        for (CairnProcess f : followers) {
            for (int i = 0; i < perFollower; i++) {
                writes.add(f.http().sendAsync("PUT", "/v1/kv/formation/burst/" + f.node() + "/" + i,
                        "v".getBytes(), Duration.ofSeconds(30)));
            }
        }
        for (CompletableFuture<Http.Response> w : writes) {
            Http.Response r = w.orTimeout(40, TimeUnit.SECONDS).join();
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(r.body()).isEqualTo("true");
        }

        for (int i = 0; i < followers.size(); i++) {
            assertThat(counter(followers.get(i), "cairn.raft.forwarded_writes") - forwardedBefore.get(i))
                    .as("writes %s forwarded to the leader", followers.get(i).node()).isEqualTo(perFollower);
        }
        long entries = counter(leader, "consul.raft.apply") - entriesBefore;
        assertThat(entries).as("Raft entries for %d concurrent writes through the followers", writes.size())
                .isPositive().isLessThanOrEqualTo(writes.size() / 2);
        assertThat(leader.http().get("/v1/kv/formation/burst/?recurse").json()).hasSize(writes.size());
    }

    private static long counter(CairnProcess server, String name) {
        Http.Response r = server.http().get("/v1/agent/metrics");
        assertThat(r.status()).isEqualTo(200);
        for (JsonNode c : r.json().get("Counters")) {
            if (c.get("Name").asText().equals(name)) {
                return c.get("Count").asLong();
            }
        }
        throw new AssertionError("no counter " + name + " in " + r.body());
    }

    @Test
    void writesToEveryServerAreSeenInOneOrderEverywhere() {
        for (CairnProcess s : cluster.servers()) {
            s.http().set("formation/order/" + s.node(), s.node());
        }
        JsonNode expected = null;
        for (CairnProcess s : cluster.servers()) {
            Http.Response r = s.http().get("/v1/kv/formation/order/?recurse");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json()).hasSize(cluster.servers().size());
            if (expected == null) {
                expected = r.json();
            }
            assertThat(r.json()).as("entries and indexes on %s", s.node()).isEqualTo(expected);
        }
    }

    @Test
    void aBlockingQueryOnAFollowerWakesOnAWriteSentToAnotherServer() throws Exception {
        List<CairnProcess> followers = cluster.followers();
        CairnProcess parkedOn = followers.get(0);
        CairnProcess writeTo = followers.get(1); // forwarded to the leader, applied, replicated back
        parkedOn.http().set("formation/watched", "before");
        long index = parkedOn.http().get("/v1/kv/formation/watched").index();

        CompletableFuture<Http.Response> parked = parkedOn.http()
                .getAsync("/v1/kv/formation/watched?index=" + index + "&wait=30s", Duration.ofSeconds(40));
        await("the query on " + parkedOn.node() + " to stay parked").during(Duration.ofMillis(700))
                .atMost(Duration.ofSeconds(2)).until(() -> !parked.isDone());
        long written = System.nanoTime();
        writeTo.http().set("formation/watched", "after");

        Http.Response woken = parked.get(10, TimeUnit.SECONDS);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written);
        assertThat(woken.status()).isEqualTo(200);
        assertThat(woken.value()).isEqualTo("after");
        assertThat(woken.index()).isGreaterThan(index);
        assertThat(tookMs).as("ms from the write to the parked query answering").isLessThan(5_000);
    }

    @Test
    void staleReadsAreLocalAndSayHowStale() {
        CairnProcess leader = cluster.leader();
        leader.http().set("formation/stale", "fresh");

        for (CairnProcess s : cluster.servers()) {
            Http.Response r = await("?stale read on " + s.node() + " to see the write")
                    .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> s.http().get("/v1/kv/formation/stale?stale"), x -> x.status() == 200);
            assertThat(r.value()).isEqualTo("fresh");
            String lastContact = r.header("X-Consul-Lastcontact");
            assertThat(lastContact).as("X-Consul-Lastcontact on %s", s.node()).isNotNull().matches("\\d+");
            assertThat(Long.parseLong(lastContact)).as("ms since %s heard from the leader", s.node())
                    .isLessThan(5_000);
            if (s == leader) {
                assertThat(lastContact).isEqualTo("0");
            }
            assertThat(r.header("X-Consul-Knownleader")).isEqualTo("true");
        }
    }

    @Test
    void staleWithConsistentIsRejectedOnFollowersToo() {
        CairnProcess follower = cluster.followers().get(0);
        Http.Response r = follower.http().get("/v1/kv/formation/stale?stale&consistent");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("Cannot specify ?stale with ?consistent");
    }

    /** The leader named by a server, or null if it does not answer HTTP (yet). */
    private static String leaderOrNothing(CairnProcess server) {
        try {
            Http.Response r = server.http().getAsync("/v1/status/leader", Duration.ofSeconds(2)).get(3, TimeUnit.SECONDS);
            return r.status() == 200 ? r.json().asText() : "status " + r.status();
        } catch (Exception e) {
            // not up yet, or too slow to answer on a loaded machine: either way it named no leader
            return null;
        }
    }
}

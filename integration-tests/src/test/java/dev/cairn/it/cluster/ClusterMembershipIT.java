package dev.cairn.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.it.CairnProcess;
import dev.cairn.it.CairnProcessExtension;
import dev.cairn.it.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Changing the servers of a running cluster, as an operator does: a server started with
 * {@code -join} is added, {@code cairn operator raft remove-peer} takes one out, {@code cairn leave}
 * makes one leave and exit, {@code cairn operator raft add-peer} adds a server waiting to
 * bootstrap. After each step every member lists the same peers and writes keep working.
 *
 * <p>One cluster goes through the steps in order; each step starts from where the last one left it.
 */
@ExtendWith(CairnProcessExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterMembershipIT {

    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static ClusterProcesses cluster;
    /** The servers that should be members now. */
    static final List<CairnProcess> members = new ArrayList<>();

    @BeforeAll
    static void start() {
        cluster = ClusterProcesses.start(dir, 3);
        members.addAll(cluster.servers());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aServerStartedWithJoinIsAddedAsAVoter() {
        CairnProcess n4 = cluster.startAnother("n4", cluster.joinArgs());
        n4.awaitReady();
        members.add(n4);

        awaitPeersEverywhere();
        JsonNode config = leader().http().get("/v1/operator/raft/configuration").json();
        JsonNode entry = serverEntry(config, "n4");
        assertThat(entry).as("n4 in %s", config).isNotNull();
        assertThat(entry.get("Voter").asBoolean()).isTrue();
        assertThat(entry.get("Address").asText()).isEqualTo(n4.raftAddress());

        n4.http().set("members/written-on-n4", "hello");
        assertThat(cluster.server("n1").http().get("/v1/kv/members/written-on-n4").value()).isEqualTo("hello");
        assertWritesWorkOnEveryMember("after n4 joined");
    }

    @Test
    @Order(2)
    void removePeerTakesAServerOut() {
        CairnProcess n4 = cluster.server("n4");
        CairnProcess leader = leader();

        CairnCli.Result removed = CairnCli.run(leader, "operator", "raft", "remove-peer", "-id", "n4");

        assertThat(removed.exit()).as("%s", removed).isZero();
        members.remove(n4);
        n4.close(); // no longer a member; what it does after removal is not part of this test
        awaitPeersEverywhere();
        CairnCli.Result list = CairnCli.run(leader(), "operator", "raft", "list-peers");
        assertThat(list.exit()).as("%s", list).isZero();
        assertThat(list.output()).contains("n1", "n2", "n3").doesNotContain("n4")
                .contains(leader().raftAddress()).containsIgnoringCase("leader");
        assertWritesWorkOnEveryMember("after remove-peer n4");
    }

    @Test
    @Order(3)
    void leaveMakesAServerLeaveAndExit() {
        CairnProcess leaving = followers().get(0);

        CairnCli.Result left = CairnCli.run(leaving, "leave");

        assertThat(left.exit()).as("%s", left).isZero();
        assertThat(leaving.awaitExit(CHANGE_TIMEOUT)).as("exit status of %s after leave", leaving.node()).isZero();
        members.remove(leaving);
        awaitPeersEverywhere();
        assertWritesWorkOnEveryMember("after " + leaving.node() + " left");
    }

    @Test
    @Order(4)
    void addPeerAddsARunningServerWaitingToBootstrap() {
        CairnProcess n5 = cluster.startAnother("n5", List.of("-bootstrap-expect", "3"));
        await("n5 to answer HTTP").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> n5.http().get("/v1/status/leader").status() == 200);
        assertThat(ClusterProcesses.leaderSeenBy(n5)).as("n5 waiting for two more servers").isEmpty();

        CairnCli.Result added = CairnCli.run(leader(), "operator", "raft", "add-peer", "-address", n5.raftAddress());

        assertThat(added.exit()).as("%s", added).isZero();
        n5.awaitReady();
        members.add(n5);
        awaitPeersEverywhere();
        n5.http().set("members/written-on-n5", "hi");
        for (CairnProcess m : members) {
            assertThat(m.http().get("/v1/kv/members/written-on-n5").value()).isEqualTo("hi");
        }
        CairnCli.Result list = CairnCli.run(n5, "members");
        assertThat(list.exit()).as("%s", list).isZero();
        for (CairnProcess m : members) {
            assertThat(list.output().lines().filter(l -> l.startsWith(m.node() + " ") || l.startsWith(m.node() + "\t")))
                    .as("members line for %s in:%n%s", m.node(), list.output())
                    .singleElement().asString().contains("alive");
        }
    }

    @Test
    @Order(5)
    void removePeerByAddressOverHttp() {
        CairnProcess target = followers().get(0);
        Http.Response r = leader().http().delete("/v1/operator/raft/peer?address=" + target.raftAddress());

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        members.remove(target);
        target.close();
        awaitPeersEverywhere();
        assertWritesWorkOnEveryMember("after removing " + target.node() + " by address");
    }

    // ------------------------------------------------------------------ helpers

    /** The leader the members agree on (servers that are not members may be running too). */
    private static CairnProcess leader() {
        return ClusterProcesses.leaderAmong(members);
    }

    private static List<CairnProcess> followers() {
        CairnProcess leader = leader();
        return members.stream().filter(m -> m != leader).toList();
    }

    /** Every member lists exactly the members as peers, and they agree on a leader among them. */
    private static void awaitPeersEverywhere() {
        List<String> expected = ClusterProcesses.addresses(members);
        for (CairnProcess m : members) {
            await("peers seen by " + m.node() + " to be " + expected).atMost(CHANGE_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> ClusterProcesses.peersSeenBy(m), expected::equals);
        }
        CairnProcess leader = leader();
        assertThat(members).contains(leader);
        for (CairnProcess m : members) {
            JsonNode config = m.http().get("/v1/operator/raft/configuration").json();
            List<String> nodes = new ArrayList<>();
            config.get("Servers").forEach(s -> nodes.add(s.get("Node").asText()));
            assertThat(nodes).as("raft configuration on %s", m.node())
                    .containsExactlyInAnyOrderElementsOf(members.stream().map(CairnProcess::node).toList());
        }
    }

    private static void assertWritesWorkOnEveryMember(String when) {
        for (CairnProcess m : members) {
            String key = "members/" + when.replaceAll("[^A-Za-z0-9]+", "-") + "/" + m.node();
            m.http().set(key, m.node());
            for (CairnProcess reader : members) {
                Http.Response r = reader.http().get("/v1/kv/" + key);
                assertThat(r.status()).as("%s: %s written on %s, read on %s: %s", when, key, m.node(), reader.node(), r)
                        .isEqualTo(200);
                assertThat(r.value()).isEqualTo(m.node());
            }
        }
    }

    private static JsonNode serverEntry(JsonNode config, String node) {
        for (JsonNode s : config.get("Servers")) {
            if (s.get("Node").asText().equals(node)) {
                return s;
            }
        }
        return null;
    }
}

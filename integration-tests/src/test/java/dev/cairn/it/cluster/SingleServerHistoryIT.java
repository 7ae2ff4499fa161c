package dev.cairn.it.cluster;

import dev.cairn.it.CairnProcess;
import dev.cairn.it.CairnProcessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster tooling on a cluster of one (which runs today): {@link ClusterProcesses} starts it,
 * {@link KvWorkload} records reads, writes and CAS from several clients across a kill -9 and a
 * restart, and the recorded history is linearizable, with every acknowledged insert still there.
 */
@ExtendWith(CairnProcessExtension.class)
class SingleServerHistoryIT {

    @Test
    void historyAcrossAKill9AndRestartIsLinearizable(@TempDir Path dir) {
        try (ClusterProcesses cluster = ClusterProcesses.start(dir, 1)) {
            CairnProcess server = cluster.leader();
            List<Integer> ports = List.of(server.httpPort());
            KvWorkload workload = new KvWorkload(ports, List.of("one/a", "one/b"), "one-acked", 4, 600,
                    Duration.ofSeconds(60), Duration.ofSeconds(3)).start();
            await("200 operations answered before the kill").atMost(Duration.ofSeconds(30))
                    .until(() -> workload.acknowledged() >= 200);

            server.kill9();
            int atKill = workload.acknowledged();
            server.restart();
            await("300 operations answered after the restart").atMost(Duration.ofSeconds(60))
                    .until(() -> workload.acknowledged() >= atKill + 300);
            workload.stop();
            KvWorkload.Result result = workload.await();
            workload.finalReads(ports);

            LinearizabilityChecker.Result verdict = new LinearizabilityChecker().check(result.history());
            System.out.printf("one server, kill -9 and restart: %s; %s%n", result, verdict.describe());
            assertThat(result.history().count(History.Outcome.OK)).isGreaterThan(400);
            assertThat(verdict.verdict()).as(verdict.describe()).isEqualTo(LinearizabilityChecker.Verdict.LINEARIZABLE);
            Map<String, String> present = ClusterFailoverIT.values(server.http().get("/v1/kv/one-acked/?recurse"));
            assertThat(present).containsAllEntriesOf(result.acknowledgedInserts());
        }
    }
}

package dev.cairn.store;

import dev.cairn.store.kv.KvEntry;
import dev.cairn.store.kv.KvOp;
import dev.cairn.store.kv.TxnResult;
import dev.cairn.store.state.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server in-process, through Ratis and HTTP: writes survive a restart, via log or snapshot. */
class CairnServerTest {

    @TempDir
    Path data;

    private ServerConfig config() {
        ServerConfig c = TestConfigs.loopback("n1");
        c.dataDir = data;
        c.snapshotThreshold = 100;
        return c;
    }

    private static String put(int port, String key, String value) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/kv/" + key))
                .PUT(HttpRequest.BodyPublishers.ofString(value)).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    @Test
    void writesSurviveARestartThroughSnapshotsAndTheLog() throws Exception {
        long lastIndex;
        try (CairnServer server = CairnServer.start(config())) {
            assertThat(put(server.httpPort(), "hello", "world")).isEqualTo("true");
            for (int i = 0; i < 250; i++) {
                put(server.httpPort(), "k/" + i, "v" + i);
            }
            lastIndex = server.state().kv().get("k/249").index();
        }
        try (Stream<Path> files = Files.walk(data)) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith("snapshot.")))
                    .as("an automatic snapshot after %d entries", 100).isNotEmpty();
        }

        try (CairnServer again = CairnServer.start(config())) {
            KvEntry hello = again.state().kv().get("hello").entries().get(0);
            assertThat(new String(hello.value())).isEqualTo("world");
            assertThat(again.state().kv().list("k/").entries()).hasSize(250);
            assertThat(again.state().kv().get("k/249").index()).isEqualTo(lastIndex);
            assertThat(put(again.httpPort(), "after", "x")).isEqualTo("true");
            assertThat(again.state().kv().get("after").index()).isGreaterThan(lastIndex);
        }
    }

    @Test
    void snapshotsWorkInTheDataDirAndACrashedRestoresLeftoversAreRemovedAtStart() throws Exception {
        Path left = Files.createDirectories(data.resolve("tmp/restore-123"));
        Files.write(left.resolve("upload.tar.gz"), new byte[1024]);
        try (CairnServer server = CairnServer.start(config())) {
            assertThat(data.resolve("tmp")).as("what a crash left is gone").isEmptyDirectory();
            put(server.httpPort(), "k", "v");
            HttpClient http = HttpClient.newHttpClient();
            URI snapshot = URI.create("http://127.0.0.1:" + server.httpPort() + "/v1/snapshot");
            HttpResponse<byte[]> saved = http.send(HttpRequest.newBuilder(snapshot).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(saved.statusCode()).isEqualTo(200);

            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(snapshot)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[]{1, 2, 3})).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(400);
            HttpResponse<String> restored = http.send(HttpRequest.newBuilder(snapshot)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(saved.body())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
            assertThat(data.resolve("tmp")).as("nothing left behind").isEmptyDirectory();
        }
    }

    @Test
    void aDataDirBelongsToOneNodeName() throws Exception {
        try (CairnServer server = CairnServer.start(config())) {
            assertThat(server.httpPort()).isPositive();
        }
        ServerConfig other = config();
        other.nodeName = "n2";

        assertThatThrownBy(() -> CairnServer.start(other)).hasMessageContaining("belongs to node \"n1\"");
    }
}

package dev.cairn.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigFilesTest {

    @TempDir
    Path dir;

    @Test
    void readsConsulStyleKeysAndLaterFilesWin() throws Exception {
        Files.writeString(dir.resolve("a.json"), """
                {"datacenter": "east", "data_dir": "/var/lib/cairn", "node_name": "n1",
                 "ports": {"http": 8501, "server": 8301, "dns": -1}, "limits": {"kv_max_value_size": 1024},
                 "raft_snapshot_threshold": 4096}
                """);
        Files.writeString(dir.resolve("b.json"), "{\"node_name\": \"n2\"}");
        Files.writeString(dir.resolve("ignored.txt"), "not json");

        ServerConfig c = new ServerConfig();
        for (Path f : ConfigFiles.expand(List.of(), List.of(dir))) {
            ConfigFiles.apply(f, c);
        }

        assertThat(c.datacenter).isEqualTo("east");
        assertThat(c.dataDir).isEqualTo(Path.of("/var/lib/cairn"));
        assertThat(c.nodeName).isEqualTo("n2");
        assertThat(c.httpPort).isEqualTo(8501);
        assertThat(c.raftPort).isEqualTo(8301);
        assertThat(c.dnsPort).isEqualTo(-1);
        assertThat(c.maxValueBytes).isEqualTo(1024);
        assertThat(c.snapshotThreshold).isEqualTo(4096);
    }

    @Test
    void anUnknownKeyOrWrongTypeIsAnErrorNamingFileAndKey() throws Exception {
        Path typo = dir.resolve("typo.json");
        Files.writeString(typo, "{\"data_dri\": \"/x\"}");
        Path wrongType = dir.resolve("type.json");
        Files.writeString(wrongType, "{\"ports\": {\"http\": \"eighty\"}}");
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"datacenter\": ");

        assertThatThrownBy(() -> ConfigFiles.apply(typo, new ServerConfig()))
                .hasMessageContaining(typo.toString()).hasMessageContaining("unknown key \"data_dri\"");
        assertThatThrownBy(() -> ConfigFiles.apply(wrongType, new ServerConfig()))
                .hasMessageContaining("\"ports.http\" must be a number");
        assertThatThrownBy(() -> ConfigFiles.apply(broken, new ServerConfig()))
                .hasMessageContaining(broken.toString());
    }

    @Test
    void validationNamesTheBadValue() {
        ServerConfig c = new ServerConfig();
        assertThatThrownBy(c::validate).hasMessageContaining("-data-dir is required");

        c.dev = true;
        c.httpPort = 70000;
        assertThatThrownBy(c::validate).hasMessageContaining("-http-port").hasMessageContaining("70000");

        c.httpPort = 8500;
        c.snapshotThreshold = 0;
        assertThatThrownBy(c::validate).hasMessageContaining("raft_snapshot_threshold").hasMessageContaining("got 0");
    }
}

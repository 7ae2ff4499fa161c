package dev.cairn.cli;

import dev.cairn.store.kv.KvEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cairn snapshot save|restore|inspect} against a real server. */
class SnapshotCommandTest extends ServerTestBase {

    private static Optional<String> value(String key) {
        return stored(key).map(KvEntry::value).map(v -> new String(v, StandardCharsets.UTF_8));
    }

    private Path save(Path dir) {
        Path file = dir.resolve("backup.snap");
        Cli.Result r = cairn("snapshot", "save", file.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return file;
    }

    @Test
    void saveWritesAVerifiedBackupAndInspectDescribesIt(@TempDir Path dir) throws IOException {
        cairn("kv", "put", p + "a", "1");
        cairn("kv", "put", p + "b", "2");
        long index = server.state().lastIndex();

        Path file = dir.resolve("backup.snap");
        Cli.Result saved = cairn("snapshot", "save", file.toString());

        assertThat(saved.exitCode()).as(saved.toString()).isZero();
        assertThat(saved.out()).isEqualTo("Saved and verified snapshot to index " + index + "\n");
        assertThat(saved.stderr()).as("no progress bar when stderr is not a terminal").isEmpty();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("no temp file left beside it").containsExactly(file);
        }

        Cli.Result inspect = Cli.run(Map.of(), "snapshot", "inspect", file.toString());
        assertThat(inspect.exitCode()).as("offline: no server address given").isZero();
        assertThat(inspect.out())
                .containsPattern("(?m)^ ID +\\d+-" + index + "-\\d+$")
                .containsPattern("(?m)^ Index +" + index + "$")
                .containsPattern("(?m)^ Term +\\d+$")
                .containsPattern("(?m)^ Version +1$")
                .containsPattern("(?m)^ Keys +" + server.state().kv().size() + "$")
                .containsPattern("(?m)^ Nodes +1$")
                .containsPattern("(?m)^ Size +\\d+$");
    }

    @Test
    void restoreBringsBackTheSavedState(@TempDir Path dir) {
        cairn("kv", "put", p + "a", "before");
        Path file = save(dir);
        cairn("kv", "put", p + "a", "after");
        cairn("kv", "put", p + "new", "x");
        long before = server.state().lastIndex();

        Cli.Result r = cairn("snapshot", "restore", file.toString());

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("Restored snapshot\n");
        assertThat(value(p + "a")).contains("before");
        assertThat(value(p + "new")).isEmpty();
        assertThat(server.state().kv().get(p + "a").index()).as("indexes never go back").isGreaterThan(before);
    }

    @Test
    void aCorruptBackupIsRefusedAndTheStoreIsUnchanged(@TempDir Path dir) throws IOException {
        cairn("kv", "put", p + "a", "saved");
        Path file = save(dir);
        byte[] whole = Files.readAllBytes(file);
        Path truncated = dir.resolve("truncated.snap");
        Files.write(truncated, Arrays.copyOf(whole, whole.length - 100));
        cairn("kv", "put", p + "a", "current");
        long before = server.state().lastIndex();

        Cli.Result r = cairn("snapshot", "restore", truncated.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("Error restoring snapshot: snapshot is truncated\n");
        assertThat(value(p + "a")).contains("current");
        assertThat(server.state().lastIndex()).as("nothing was proposed").isEqualTo(before);

        Cli.Result inspect = cairn("snapshot", "inspect", truncated.toString());
        assertThat(inspect.exitCode()).isEqualTo(1);
        assertThat(inspect.stderr()).isEqualTo("Error verifying snapshot: snapshot is truncated\n");
    }

    @Test
    void aFailedSaveLeavesNoFileBehindAndKeepsAnOldOne(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("backup.snap");
        Files.writeString(file, "the previous backup");

        Cli.Result r = Cli.run(Map.of("CAIRN_HTTP_ADDR", "127.0.0.1:" + closedPort()), "snapshot", "save", file.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("cannot reach Cairn");
        assertThat(Files.readString(file)).isEqualTo("the previous backup");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        Cli.Result r = cairn("snapshot", "restore", dir.resolve("nope.snap").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("nope.snap: no such file");
    }

    @Test
    void snapshotWithoutASubcommandIsAUsageError() {
        Cli.Result r = cairn("snapshot");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("missing subcommand: save, restore or inspect");
    }
}

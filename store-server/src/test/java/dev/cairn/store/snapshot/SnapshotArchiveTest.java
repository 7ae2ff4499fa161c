package dev.cairn.store.snapshot;

import dev.cairn.store.state.DirectConsensus;
import dev.cairn.store.state.StoreState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A backup round-trips, and every kind of damage is refused with a message naming it. */
class SnapshotArchiveTest {

    @TempDir
    Path dir;

    private final StoreState state = new StoreState();
    private final DirectConsensus raft = new DirectConsensus(state);
    private Path archive;

    @BeforeEach
    void aBackupOfAStateWithSomethingInEveryTable() throws IOException {
        Stores.put(raft, "app/a", "alpha");
        Stores.put(raft, "app/b", "beta");
        Stores.catalogAndSession(raft);
        archive = dir.resolve("backup.snap");
    }

    private Path workDir() throws IOException {
        return Files.createTempDirectory(dir, "work-");
    }

    @Test
    void aBackupRoundTripsWithItsMetaAndState() throws IOException {
        state.term(3);
        SnapshotMeta written = SnapshotArchive.write(state, archive);

        SnapshotArchive.Verified v = SnapshotArchive.verify(archive, workDir());

        assertThat(v.meta()).isEqualTo(written);
        assertThat(v.meta().index()).isEqualTo(state.lastIndex());
        assertThat(v.meta().term()).isEqualTo(3);
        assertThat(v.meta().id()).startsWith("3-" + state.lastIndex() + "-");
        assertThat(v.meta().format()).isEqualTo("cairn");
        assertThat(v.meta().version()).isEqualTo(1);
        // app/a, app/b, lock/web; n1; web1; serfHealth; s1
        assertThat(v.meta().counts()).isEqualTo(new SnapshotMeta.Counts(3, 1, 1, 1, 1));
        assertThat(v.meta().size()).isEqualTo(Files.size(v.stateFile()));
        try (DataInputStream in = new DataInputStream(Files.newInputStream(v.stateFile()))) {
            StoreState decoded = StoreState.decode(in);
            assertThat(Stores.value(decoded, "app/b")).isEqualTo("beta");
            assertThat(decoded.sessions().exists("s1")).isTrue();
            assertThat(decoded.catalog().service("web").value()).hasSize(1);
        }
    }

    @Test
    void theArchiveIsAGzippedTarWithConsulsThreeFileNames() throws IOException {
        SnapshotArchive.write(state, archive);

        byte[] tar;
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
            tar = in.readAllBytes();
        }
        String text = new String(tar, StandardCharsets.ISO_8859_1);
        assertThat(text).contains("meta.json", "state.bin", "SHA256SUMS", "ustar");
        assertThat(text).containsPattern("[0-9a-f]{64}  meta\\.json\n[0-9a-f]{64}  state\\.bin\n");
        assertThat(tar.length % 512).isZero();
    }

    @Test
    void aTruncatedBackupIsRefusedWhereverItIsCut() throws IOException {
        SnapshotArchive.write(state, archive);
        byte[] whole = Files.readAllBytes(archive);

        for (int cut : new int[] {whole.length - 1, whole.length - 8, whole.length / 2, 20}) {
            Path truncated = dir.resolve("cut-" + cut);
            Files.write(truncated, Arrays.copyOf(whole, cut));
            assertThatThrownBy(() -> SnapshotArchive.verify(truncated, workDir()))
                    .as("cut at %d of %d bytes", cut, whole.length)
                    .isInstanceOf(SnapshotArchive.InvalidSnapshotException.class)
                    .hasMessage("snapshot is truncated");
        }
    }

    @Test
    void aFlippedByteIsRefused() throws IOException {
        SnapshotArchive.write(state, archive);
        byte[] bytes = Files.readAllBytes(archive);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(archive, bytes);

        assertThatThrownBy(() -> SnapshotArchive.verify(archive, workDir()))
                .isInstanceOf(SnapshotArchive.InvalidSnapshotException.class)
                .hasMessageStartingWith("snapshot is corrupt");
    }

    @Test
    void noFlippedByteAnywhereGetsDamagedDataThrough() throws IOException {
        SnapshotMeta meta = SnapshotArchive.write(state, archive);
        byte[] good = Files.readAllBytes(archive);
        byte[] goodState = SnapshotArchive.verify(archive, workDir()).sha256();
        // bytes 4-9 of a gzip header (mtime, flags, OS) are not covered by its CRC: not damage
        for (int at = 10; at < good.length; at++) {
            byte[] bad = good.clone();
            bad[at] ^= 0x01;
            Path file = dir.resolve("flipped");
            Files.write(file, bad);
            try {
                SnapshotArchive.Verified v = SnapshotArchive.verify(file, workDir());
                assertThat(v.sha256()).as("accepted with byte %d flipped: only if nothing changed", at)
                        .isEqualTo(goodState);
                assertThat(v.meta()).isEqualTo(meta);
            } catch (SnapshotArchive.InvalidSnapshotException e) {
                assertThat(e.getMessage()).as("byte %d flipped", at)
                        .matches("snapshot is (corrupt.*|truncated)");
            }
        }
    }

    @Test
    void aStateThatDoesNotMatchItsChecksumIsRefused() throws IOException {
        Path stateFile = exported();
        byte[] meta = metaJson(SnapshotMeta.VERSION, stateFile);
        String sums = SnapshotArchive.hex(SnapshotArchive.sha256().digest(meta)) + "  meta.json\n"
                + "0".repeat(64) + "  state.bin\n";
        writeArchive(meta, stateFile, sums);

        assertThatThrownBy(() -> SnapshotArchive.verify(archive, workDir()))
                .isInstanceOf(SnapshotArchive.InvalidSnapshotException.class)
                .hasMessage("SHA256 mismatch for state.bin");
    }

    @Test
    void aFileThatIsNotGzipIsRefused() throws IOException {
        Files.writeString(archive, "{\"not\": \"a snapshot\"}");

        assertThatThrownBy(() -> SnapshotArchive.verify(archive, workDir()))
                .isInstanceOf(SnapshotArchive.InvalidSnapshotException.class)
                .hasMessageStartingWith("snapshot is not a gzip archive");
    }

    @Test
    void anEmptyFileIsRefused() throws IOException {
        Files.write(archive, new byte[0]);

        assertThatThrownBy(() -> SnapshotArchive.verify(archive, workDir())).hasMessage("snapshot is empty");
    }

    @Test
    void anUnknownVersionIsRefusedEvenWithGoodChecksums() throws IOException {
        Path stateFile = exported();
        byte[] meta = metaJson(99, stateFile);
        writeArchive(meta, stateFile, sums(meta, stateFile));

        assertThatThrownBy(() -> SnapshotArchive.verify(archive, workDir()))
                .isInstanceOf(SnapshotArchive.InvalidSnapshotException.class)
                .hasMessage("unsupported snapshot version 99 (this Cairn reads version 1)");
    }

    @Test
    void aConsulSnapshotIsToldApart() throws IOException {
        Path stateFile = exported();
        byte[] meta = "{\"ID\":\"2-5-1516051101735\",\"Size\":4689,\"Index\":5,\"Term\":2,\"Version\":1}"
                .getBytes(StandardCharsets.UTF_8);
        writeArchive(meta, stateFile, sums(meta, stateFile));

        assertThatThrownBy(() -> SnapshotArchive.verify(archive, workDir()))
                .hasMessageStartingWith("not a Cairn snapshot");
    }

    @Test
    void aStateThatDoesNotDecodeIsRefused() throws IOException {
        Path stateFile = dir.resolve("garbage.bin");
        Files.write(stateFile, new byte[] {0, 0, 0, 3, 1, 2, 3});
        byte[] meta = metaJson(SnapshotMeta.VERSION, stateFile);
        writeArchive(meta, stateFile, sums(meta, stateFile));

        assertThatThrownBy(() -> SnapshotArchive.verify(archive, workDir()))
                .isInstanceOf(SnapshotArchive.InvalidSnapshotException.class)
                .hasMessageStartingWith("state.bin does not decode");
    }

    // ---------------------------------------------------------------- crafting archives

    private Path exported() throws IOException {
        Path stateFile = dir.resolve("state.bin");
        try (var out = new java.io.DataOutputStream(Files.newOutputStream(stateFile))) {
            state.exportTo(out);
        }
        return stateFile;
    }

    private byte[] metaJson(int version, Path stateFile) throws IOException {
        SnapshotMeta meta = new SnapshotMeta("1-9-0", SnapshotMeta.FORMAT, version, state.lastIndex(), 1,
                "2026-11-28T10:00:00Z", Files.size(stateFile), SnapshotMeta.Counts.of(state.counts()));
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(meta);
    }

    private static String sums(byte[] meta, Path stateFile) throws IOException {
        return SnapshotArchive.hex(SnapshotArchive.sha256().digest(meta)) + "  meta.json\n"
                + SnapshotArchive.hex(SnapshotArchive.sha256().digest(Files.readAllBytes(stateFile))) + "  state.bin\n";
    }

    private void writeArchive(byte[] meta, Path stateFile, String sums) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SnapshotArchive.writeArchive(bytes, meta, stateFile, sums.getBytes(StandardCharsets.US_ASCII), 0);
        try (OutputStream out = Files.newOutputStream(archive)) {
            bytes.writeTo(out);
        }
    }
}

package dev.cairn.watcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicFileWriterTest {

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aNewFileGetsTheGivenModeWhateverTheUmask() throws IOException {
        Path out = dir.resolve("out.conf");
        assertThat(new AtomicFileWriter(0640).write(out, utf8("hello\n"))).isTrue();

        assertThat(Files.readString(out)).isEqualTo("hello\n");
        assertThat(mode(out)).isEqualTo("rw-r-----");
        assertThat(files()).containsExactly("out.conf");
    }

    @Test
    void anExistingFileKeepsItsModeAndNoTempFileIsLeft() throws IOException {
        Path out = dir.resolve("out.conf");
        Files.writeString(out, "old\n");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwx--x---"));

        assertThat(new AtomicFileWriter(0644).write(out, utf8("new\n"))).isTrue();

        assertThat(Files.readString(out)).isEqualTo("new\n");
        assertThat(mode(out)).isEqualTo("rwx--x---");
        assertThat(files()).containsExactly("out.conf");
    }

    @Test
    void theFileIsReplacedNotRewrittenInPlace() throws IOException {
        Path out = dir.resolve("out.conf");
        Files.writeString(out, "old\n");
        Object before = Files.readAttributes(out, BasicFileAttributes.class).fileKey();

        new AtomicFileWriter(0644).write(out, utf8("new\n"));

        assertThat(Files.readAttributes(out, BasicFileAttributes.class).fileKey())
                .as("a reader holding the old file keeps the old inode").isNotEqualTo(before);
    }

    @Test
    void unchangedContentIsNotWrittenAtAll() throws IOException {
        Path out = dir.resolve("out.conf");
        Files.writeString(out, "same\n");
        FileTime past = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(out, past);
        Object inode = Files.readAttributes(out, BasicFileAttributes.class).fileKey();

        assertThat(new AtomicFileWriter(0644).write(out, utf8("same\n"))).isFalse();

        assertThat(Files.getLastModifiedTime(out)).isEqualTo(past);
        assertThat(Files.readAttributes(out, BasicFileAttributes.class).fileKey()).isEqualTo(inode);
        assertThat(files()).containsExactly("out.conf");
    }

    @Test
    void missingFoldersAreCreated() throws IOException {
        Path out = dir.resolve("a/b/out.conf");
        new AtomicFileWriter(0644).write(out, utf8("x"));
        assertThat(Files.readString(out)).isEqualTo("x");
    }

    @Test
    void aSymlinkedDestinationIsWrittenThrough() throws IOException {
        Path real = dir.resolve("release/app.conf");
        Files.createDirectories(real.getParent());
        Files.writeString(real, "v1\n");
        Path link = dir.resolve("app.conf");
        Files.createSymbolicLink(link, real);

        assertThat(new AtomicFileWriter(0644).write(link, utf8("v2\n"))).isTrue();

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo("v2\n");
    }

    @Test
    void aFolderIsNoDestinationAndNothingIsLeftBehind() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("out.conf"));
        assertThatThrownBy(() -> new AtomicFileWriter(0644).write(folder, utf8("x")))
                .isInstanceOf(IOException.class).hasMessageContaining("not a regular file");
        assertThat(files()).containsExactly("out.conf");
    }

    @Test
    void modesOutsideOctal777AreRefused() {
        assertThatThrownBy(() -> new AtomicFileWriter(01000)).hasMessageContaining("between 0000 and 0777");
        assertThat(PosixFilePermissions.toString(AtomicFileWriter.permissions(0751))).isEqualTo("rwxr-x--x");
    }

    @Test
    void commitFsyncsTheFolderOnceAfterTheRename() throws IOException {
        Path out = dir.resolve("out.conf");
        List<String> fsyncs = new ArrayList<>();
        AtomicFileWriter writer = new AtomicFileWriter(0644, null, true,
                folder -> fsyncs.add(folder + ": " + readOrNone(out)));

        assertThat(writer.write(out, utf8("v1\n"))).isTrue();

        assertThat(fsyncs).containsExactly(dir + ": v1\n");
    }

    @Test
    void swapLeavesTheFolderFsyncToSyncFolderOrClose() throws IOException {
        Path out = dir.resolve("out.conf");
        List<String> fsyncs = new ArrayList<>();
        AtomicFileWriter writer = new AtomicFileWriter(0644, null, true, folder -> fsyncs.add(folder.toString()));

        try (AtomicFileWriter.Staged staged = writer.stage(out, utf8("v1\n"))) {
            staged.swap(false);
            assertThat(Files.readString(out)).as("visible at once").isEqualTo("v1\n");
            assertThat(fsyncs).isEmpty();
            staged.syncFolder();
            staged.syncFolder();
            assertThat(fsyncs).containsExactly(dir.toString());
        }
        assertThat(fsyncs).as("not again on close").hasSize(1);

        try (AtomicFileWriter.Staged staged = writer.stage(out, utf8("v2\n"))) {
            staged.swap(false);
        }
        assertThat(fsyncs).as("close fsyncs a swap not yet synced").hasSize(2);
        assertThat(files()).containsExactly("out.conf");
    }

    @Test
    void aStagedFileNeverSwappedIsDeletedAndNothingIsFsynced() throws IOException {
        Path out = dir.resolve("out.conf");
        Files.writeString(out, "old\n");
        List<String> fsyncs = new ArrayList<>();
        AtomicFileWriter writer = new AtomicFileWriter(0644, null, true, folder -> fsyncs.add(folder.toString()));

        try (AtomicFileWriter.Staged staged = writer.stage(out, utf8("new\n"))) {
            staged.syncFolder();
        }

        assertThat(fsyncs).isEmpty();
        assertThat(Files.readString(out)).isEqualTo("old\n");
        assertThat(files()).containsExactly("out.conf");
    }

    private static String readOrNone(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "(none)";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

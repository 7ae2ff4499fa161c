package dev.cairn.watcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The order of OutputPublisher's steps: check, rename, command, folder fsync, rollback. */
class OutputPublisherTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream commandOutput = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(commandOutput, true, StandardCharsets.UTF_8);
    /** One line per folder fsync: the folder and what the destination held then. */
    private final List<String> fsyncs = new CopyOnWriteArrayList<>();
    private Runnable beforeFsync = () -> {
    };

    private Path dest() {
        return dir.resolve("out.conf");
    }

    private OutputPublisher publisher() {
        return new OutputPublisher(out, out, folder -> {
            beforeFsync.run();
            fsyncs.add(folder + ": " + read(dest()));
        });
    }

    private TemplateConfig template(String command, String check) {
        return new TemplateConfig(null, "unused", dest(), command, Duration.ofSeconds(30), check, null, false, null,
                true, null, null, false);
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "(none)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theCommandStartsBeforeTheFolderFsyncWhichIsDoneBeforePublishReturns() throws IOException {
        Files.writeString(dest(), "old\n");
        Path started = dir.resolve("started");
        Path synced = dir.resolve("synced");
        // the fsync waits for the command to have started; the command exits 0 only if the fsync
        // then happened while it was still running (bounded: at most ~10 s)
        beforeFsync = () -> await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(started));
        String command = "touch '" + started + "'; i=0; while [ ! -e '" + synced + "' ] && [ $i -lt 1000 ]; do"
                + " sleep 0.01; i=$((i+1)); done; test -e '" + synced + "'";
        OutputPublisher publisher = new OutputPublisher(out, out, folder -> {
            beforeFsync.run();
            fsyncs.add(folder + ": " + read(dest()));
            try {
                Files.createFile(synced);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        OutputPublisher.Outcome o = publisher.publish(template(command, ""), 0644, "new\n");

        assertThat(o).isEqualTo(new OutputPublisher.Outcome(OutputPublisher.Status.WRITTEN, null));
        assertThat(fsyncs).as("once, after the rename").containsExactly(dir + ": new\n");
        assertThat(read(dest())).isEqualTo("new\n");
    }

    @Test
    void withoutACommandTheFolderIsFsyncedBeforePublishReturns() throws IOException {
        OutputPublisher.Outcome o = publisher().publish(template("", ""), 0644, "new\n");

        assertThat(o.status()).isEqualTo(OutputPublisher.Status.WRITTEN);
        assertThat(fsyncs).containsExactly(dir + ": new\n");
        assertThat(files()).containsExactly("out.conf");
    }

    @Test
    void aFailedCommandPutsThePreviousFileBackAndBothRenamesAreFsynced() throws IOException {
        Files.writeString(dest(), "old\n");

        OutputPublisher.Outcome o = publisher().publish(template("grep -qx old '" + dest() + "'", ""), 0644, "new\n");

        assertThat(o.status()).isEqualTo(OutputPublisher.Status.COMMAND_FAILED);
        assertThat(o.problem()).contains("exited with status 1").endsWith("ran the command again: it succeeded");
        assertThat(read(dest())).isEqualTo("old\n");
        assertThat(fsyncs).containsExactly(dir + ": new\n", dir + ": old\n");
        assertThat(files()).containsExactly("out.conf");
    }

    @Test
    void theCheckReadsTheTempFileWhileTheDestinationIsStillTheOldOne() throws IOException {
        Files.writeString(dest(), "old\n");
        String check = "grep -qx new \"$CAIRN_RENDERED\" && grep -qx old '" + dest() + "'";

        OutputPublisher.Outcome o = publisher().publish(template("", check), 0644, "new\n");

        assertThat(o.status()).isEqualTo(OutputPublisher.Status.WRITTEN);
        assertThat(read(dest())).isEqualTo("new\n");
    }

    @Test
    void aFailedCheckLeavesTheDestinationAsItWasAndRunsNoCommand() throws IOException {
        Files.writeString(dest(), "old\n");
        Path ran = dir.resolve("ran");

        OutputPublisher.Outcome o = publisher().publish(template("touch '" + ran + "'", "exit 1"), 0644, "new\n");

        assertThat(o.status()).isEqualTo(OutputPublisher.Status.CHECK_FAILED);
        assertThat(read(dest())).isEqualTo("old\n");
        assertThat(fsyncs).isEmpty();
        assertThat(files()).containsExactly("out.conf");
    }

    @Test
    void unchangedOutputIsNotWrittenNorFsynced() throws IOException {
        Files.writeString(dest(), "same\n");
        Path ran = dir.resolve("ran");

        OutputPublisher.Outcome o = publisher().publish(template("touch '" + ran + "'", ""), 0644, "same\n");

        assertThat(o.status()).isEqualTo(OutputPublisher.Status.UNCHANGED);
        assertThat(fsyncs).isEmpty();
        assertThat(ran).doesNotExist();
    }
}

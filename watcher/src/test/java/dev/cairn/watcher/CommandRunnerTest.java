package dev.cairn.watcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CommandRunnerTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void runsThroughTheShellAndPassesOutputThrough() throws IOException {
        CommandRunner.Outcome o = new CommandRunner(Duration.ofSeconds(30), out, err)
                .run("echo one:two | tr : ' ' && echo oops >&2");

        assertThat(o.ok()).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("one two\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("oops\n");
    }

    @Test
    void aNonZeroExitIsReportedNotThrown() throws IOException {
        CommandRunner.Outcome o = new CommandRunner(Duration.ofSeconds(30), out, err).run("exit 3");
        assertThat(o).isEqualTo(new CommandRunner.Outcome(3, false));
    }

    @Test
    void aCommandThatOutlivesItsTimeoutIsKilled() throws IOException {
        long start = System.nanoTime();
        CommandRunner.Outcome o = new CommandRunner(Duration.ofMillis(300), out, err).run("exec sleep 30");
        assertThat(o.timedOut()).isTrue();
        assertThat(o.ok()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void theCommandGetsNoInput() throws IOException {
        CommandRunner.Outcome o = new CommandRunner(Duration.ofSeconds(10), out, err).run("cat; echo done");
        assertThat(o.ok()).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("done\n");
    }

    @Test
    void whileRunningIsCalledOnceWhileTheCommandRuns(@TempDir Path dir) throws IOException {
        Path flag = dir.resolve("flag");
        AtomicInteger calls = new AtomicInteger();
        // exits 0 only if the flag appears while it runs (bounded: at most ~10 s)
        String command = "i=0; while [ ! -e '" + flag + "' ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done;"
                + " test -e '" + flag + "'";

        CommandRunner.Outcome o = new CommandRunner(Duration.ofSeconds(30), out, err).run(command, Map.of(), () -> {
            calls.incrementAndGet();
            try {
                Files.createFile(flag);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        assertThat(o.ok()).isTrue();
        assertThat(calls).hasValue(1);
    }
}

package dev.cairn.watcher;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

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
}

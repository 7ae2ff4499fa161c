package dev.cairn.watcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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

    // --- which commands run without the shell

    @Test
    void aCommandOfPlainWordsRunsTheProgramFoundOnPathDirectly(@TempDir Path bin) throws IOException {
        Path reload = executable(bin, "reload-web");
        Map<String, String> env = Map.of("PATH", "/nonexistent:" + bin + ":/usr/bin");

        assertThat(CommandRunner.argv("reload-web -s reload", env)).containsExactly(reload.toString(), "-s", "reload");
        assertThat(CommandRunner.argv("  reload-web\t-c  /etc/x.cfg,y:z+1@2%3 -D key=value  ", env))
                .containsExactly(reload.toString(), "-c", "/etc/x.cfg,y:z+1@2%3", "-D", "key=value");
        assertThat(CommandRunner.argv(reload + " -t", Map.of())).containsExactly(reload.toString(), "-t");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "nginx -s reload", "haproxy -c -f /etc/haproxy/haproxy.cfg", "systemctl reload nginx",
            "/usr/sbin/nginx -s reload", "touch /tmp/x", "kill-web --signal=HUP", "a -b c=d"})
    void plainWordsNeedNoShell(String command) {
        assertThat(CommandRunner.plainWords(command)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // syntax
            "nginx -s reload && echo ok", "a; b", "a | b", "a & ", "a > out", "a < in", "a 2>&1", "(a)",
            "{ a; }", "a $HOME", "a ${X}", "a `date`", "a $(date)", "a 'quoted'", "a \"quoted\"",
            "a \\n", "a\nb", "a\rb", "a *.conf", "a ?", "a [ab]", "a ~/x", "a ~", "a # comment",
            "a !", "a ^b", "a\u00e9", "a\u00a0b", "",
            "   ", "\t",
            // an assignment first
            "FOO=1 nginx -s reload", "PATH=/x nginx",
            // builtins and reserved words: the shell's meaning, not a program's
            "echo -e x", "test -f x", "[ -f x ]", "true", "false", "exit 3", "exec nginx", "cd /tmp",
            "kill -HUP 1", "printf x", "pwd", "export A", ". x", ": x", "if", "while", "time nginx",
            "source x", "command nginx", "set -e"})
    void anythingElseGoesThroughTheShell(String command) {
        assertThat(CommandRunner.plainWords(command)).isNull();
    }

    @Test
    void aProgramThatIsNotThereGoesThroughTheShell(@TempDir Path bin) throws IOException {
        Files.writeString(bin.resolve("not-executable"), "#!/bin/sh\n");
        Files.createDirectory(bin.resolve("a-folder"));

        assertThat(CommandRunner.argv("no-such-program-cairn -x", Map.of("PATH", bin.toString()))).isNull();
        assertThat(CommandRunner.argv("not-executable", Map.of("PATH", bin.toString()))).isNull();
        assertThat(CommandRunner.argv("a-folder", Map.of("PATH", bin.toString()))).isNull();
        assertThat(CommandRunner.argv(bin.resolve("nothing") + " -x", Map.of())).isNull();
        // the shell's own rules for these are not copied
        assertThat(CommandRunner.argv("ls", Map.of())).isNull();
        assertThat(CommandRunner.argv("ls", Map.of("PATH", ":/usr/bin:/bin"))).isNull();
        assertThat(CommandRunner.argv("ls", Map.of("PATH", "bin:/usr/bin:/bin"))).isNull();
    }

    @Test
    void theFirstMatchOnPathWinsAsInTheShell(@TempDir Path dir) throws IOException {
        Path first = Files.createDirectory(dir.resolve("first"));
        Path second = Files.createDirectory(dir.resolve("second"));
        executable(second, "tool");
        Path winner = executable(first, "tool");
        assertThat(CommandRunner.argv("tool", Map.of("PATH", first + ":" + second))).containsExactly(winner.toString());
    }

    @Test
    void aProgramInAFolderWithASpaceRunsDirectly(@TempDir Path dir) throws IOException {
        Path bin = Files.createDirectory(dir.resolve("my tools"));
        Path tool = Files.writeString(bin.resolve("say-args"), "#!/bin/sh\nfor a; do echo \"[$a]\"; done\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        // the shell would split the path at its space too, and find no program ".../my": so does this
        assertThat(CommandRunner.argv(tool + " one", Map.of())).isNull();
        String plain = "say-args one  two";
        Map<String, String> env = Map.of("PATH", bin + ":/usr/bin:/bin");
        assertThat(CommandRunner.argv(plain, env)).containsExactly(tool.toString(), "one", "two");
        assertThat(List.of(CommandRunner.commandLine(plain, env).toStrings())).containsExactly(tool.toString(), "one", "two");

        CommandRunner.Outcome o = new CommandRunner(Duration.ofSeconds(30), out, err)
                .run(plain, Map.of("PATH", bin + ":" + System.getenv("PATH")));
        assertThat(o.ok()).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("[one]\n[two]\n");
    }

    @Test
    void theCommandLineShowsWhatIsStarted() {
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin");
        assertThat(List.of(CommandRunner.commandLine("ls -l /tmp", env).toStrings()))
                .containsExactly(CommandRunner.findProgram("ls", env).toString(), "-l", "/tmp");
        assertThat(List.of(CommandRunner.commandLine("ls -l /tmp | wc -l", env).toStrings()))
                .containsExactly("/bin/sh", "-c", "ls -l /tmp | wc -l");
    }

    // --- the same behaviour without the shell

    @Test
    void aDirectCommandPassesOutputAndExitCodeThrough() throws IOException {
        assertThat(CommandRunner.plainWords("expr 6 * 7")).isNull(); // a glob: the shell's
        CommandRunner.Outcome o = new CommandRunner(Duration.ofSeconds(30), out, err).run("expr 20 + 22");
        assertThat(o.ok()).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("42\n");

        CommandRunner.Outcome failed = new CommandRunner(Duration.ofSeconds(30), out, err).run("ls /nonexistent-cairn-test");
        assertThat(failed).isEqualTo(new CommandRunner.Outcome(2, false));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("/nonexistent-cairn-test").contains("No such file");
    }

    @Test
    void aDirectCommandSeesTheExtraEnvironment() throws IOException {
        CommandRunner.Outcome o = new CommandRunner(Duration.ofSeconds(30), out, err)
                .run("printenv CAIRN_RENDERED", Map.of("CAIRN_RENDERED", "/etc/nginx/.web.conf.tmp"));
        assertThat(o.ok()).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("/etc/nginx/.web.conf.tmp\n");
    }

    @Test
    void aDirectCommandGetsNoInput() throws IOException {
        CommandRunner.Outcome o = new CommandRunner(Duration.ofSeconds(10), out, err).run("cat");
        assertThat(o.ok()).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aMissingProgramIsReportedByTheShellAsBefore() throws IOException {
        CommandRunner.Outcome o = new CommandRunner(Duration.ofSeconds(10), out, err).run("no-such-program-cairn -s reload");
        assertThat(o).isEqualTo(new CommandRunner.Outcome(127, false));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no-such-program-cairn: not found");
    }

    @Test
    void aDirectCommandThatOutlivesItsTimeoutIsKilledWithItsChildren() throws IOException {
        // timeout(1) runs sleep as its child: both must go, or sleep would hold our output open
        assertThat(CommandRunner.argv("timeout 60 sleep 61.5", System.getenv())).isNotNull();
        long start = System.nanoTime();
        CommandRunner.Outcome o = new CommandRunner(Duration.ofMillis(300), out, err).run("timeout 60 sleep 61.5");
        assertThat(o.timedOut()).isTrue();
        assertThat(o.ok()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        assertThat(running("61.5")).isEmpty();
    }

    @Test
    void aShellCommandThatOutlivesItsTimeoutIsKilledWithItsChildrenAndGoesNoFurther() throws IOException {
        long start = System.nanoTime();
        CommandRunner.Outcome o = new CommandRunner(Duration.ofMillis(300), out, err).run("sleep 62.5; echo never");
        assertThat(o.timedOut()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(running("62.5")).isEmpty();
    }

    @Test
    void whileRunningIsCalledOnceWhileADirectCommandRuns() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        List<String> seen = new CopyOnWriteArrayList<>();
        assertThat(CommandRunner.argv("sleep 0.5", System.getenv())).isNotNull();
        CommandRunner.Outcome o = new CommandRunner(Duration.ofSeconds(30), out, err).run("sleep 0.5", Map.of(), () -> {
            calls.incrementAndGet();
            ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                    .forEach(c -> seen.add(c.info().commandLine().orElse("?")));
        });
        assertThat(o.ok()).isTrue();
        assertThat(calls).hasValue(1);
        assertThat(seen).anySatisfy(c -> assertThat(c).endsWith("sleep 0.5"));
    }

    /** Processes of this test's user whose command line mentions {@code marker}, still running. */
    private static List<ProcessHandle> running(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    private static Path executable(Path dir, String name) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
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

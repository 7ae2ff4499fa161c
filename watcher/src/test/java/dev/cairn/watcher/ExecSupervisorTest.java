package dev.cairn.watcher;

import dev.cairn.template.DataSource;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code -exec}: the daemon against a real in-process server supervising a small shell script
 * that notes each start and each SIGHUP in files.
 */
class ExecSupervisorTest {

    static TestStore store;
    static final AtomicInteger TEST = new AtomicInteger();

    @TempDir
    Path dir;

    private final String p = "exec" + TEST.incrementAndGet() + "/";
    private final List<AutoCloseable> open = new ArrayList<>();
    private final AtomicInteger renders = new AtomicInteger();

    @BeforeAll
    static void startStore() throws IOException {
        store = TestStore.start();
    }

    @AfterAll
    static void stopStore() {
        store.close();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10));
    }

    private TemplateConfig template(String text, String dest) {
        return new TemplateConfig(null, text, dir.resolve(dest), "", Duration.ofSeconds(30), "", null, false, null,
                true, null, null, false);
    }

    /**
     * The child: notes "start" in started.log, "hup" in hups.log on each SIGHUP, exits 0 on
     * SIGTERM. Traps come first so a signal can never find the shell without them.
     */
    private List<String> script() throws IOException {
        Path s = Files.writeString(dir.resolve("child.sh"), String.join("\n",
                "trap 'echo hup >> \"" + dir.resolve("hups.log") + "\"' HUP",
                "trap 'exit 0' TERM",
                "echo start >> \"" + dir.resolve("started.log") + "\"",
                "while :; do sleep 0.05; done", ""));
        return List.of("/bin/sh", s.toString());
    }

    private record Run(TemplateDaemon daemon, ExecSupervisor exec) {
    }

    private Run start(DaemonConfig.Exec exec, TemplateConfig... templates) throws Exception {
        DaemonConfig config = new DaemonConfig(List.of(templates), DaemonConfig.Wait.OFF, DaemonConfig.DEFAULT_MAX_STALE,
                DaemonConfig.DEFAULT_BLOCK_QUERY_WAIT,
                new DaemonConfig.Retry(0, Duration.ofMillis(50), Duration.ofMillis(300)), "info", null, "INT", "HUP",
                null, null, DaemonConfig.DEFAULT_PERMS).withExec(exec);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        TemplateDaemon d = new TemplateDaemon(store.client(), config, false, DataSource.local(Map.of()), quiet, quiet);
        d.addListener(new TemplateDaemon.Listener() {
            @Override
            public void rendered(TemplateConfig template, boolean complete) {
                renders.incrementAndGet();
            }
        });
        ExecSupervisor s = ExecSupervisor.attach(d, exec);
        open.add(d);
        open.add(s);
        d.start();
        return new Run(d, s);
    }

    private long lines(String file) throws IOException {
        Path f = dir.resolve(file);
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    // ------------------------------------------------------------------ tests

    @Test
    void theChildStartsOnlyOnceEveryTemplateHasBeenRendered() throws Exception {
        store.put(p + "a", "1");
        Run r = start(new DaemonConfig.Exec(script(), "HUP", "TERM", Duration.ofSeconds(5)),
                template("a={{key:" + p + "a}}\n", "a.conf"), template("b={{key:" + p + "b}}\n", "b.conf"));
        eventually().until(() -> Files.exists(dir.resolve("a.conf")) && renders.get() >= 2);
        assertThat(r.exec().starts()).as("b is still waiting for its key").isZero();
        assertThat(r.daemon().allRendered()).isFalse();

        store.put(p + "b", "1");

        eventually().until(() -> lines("started.log") == 1);
        assertThat(dir.resolve("b.conf")).hasContent("b=1\n");
        assertThat(r.exec().starts()).isEqualTo(1);
    }

    @Test
    void aChangedOutputSendsTheReloadSignalToTheRunningChild() throws Exception {
        store.put(p + "a", "1");
        Run r = start(new DaemonConfig.Exec(script(), "HUP", "TERM", Duration.ofSeconds(5)),
                template("a={{key:" + p + "a}}\n", "a.conf"));
        eventually().until(() -> lines("started.log") == 1);

        store.put(p + "a", "2");

        eventually().until(() -> lines("hups.log") == 1);
        assertThat(dir.resolve("a.conf")).hasContent("a=2\n");
        assertThat(r.exec().starts()).as("reloaded, not restarted").isEqualTo(1);
        assertThat(r.exec().running()).isTrue();
    }

    @Test
    void withoutAReloadSignalAChangedOutputRestartsTheChild() throws Exception {
        store.put(p + "a", "1");
        Run r = start(new DaemonConfig.Exec(script(), null, "TERM", Duration.ofSeconds(5)),
                template("a={{key:" + p + "a}}\n", "a.conf"));
        eventually().until(() -> lines("started.log") == 1);

        store.put(p + "a", "2");

        eventually().until(() -> lines("started.log") == 2);
        eventually().until(() -> r.exec().running());
        assertThat(lines("hups.log")).isZero();
        assertThat(r.exec().starts()).isEqualTo(2);
        assertThat(r.daemon().failure()).isNull();
    }

    @Test
    void aChildIgnoringTheKillSignalIsKilledAfterTheTimeoutAndRestarted() throws Exception {
        store.put(p + "a", "1");
        Path s = Files.writeString(dir.resolve("stubborn.sh"), String.join("\n",
                "trap '' TERM",
                "echo start >> \"" + dir.resolve("started.log") + "\"",
                "while :; do sleep 0.05; done", ""));
        Run r = start(new DaemonConfig.Exec(List.of("/bin/sh", s.toString()), null, "TERM", Duration.ofMillis(300)),
                template("a={{key:" + p + "a}}\n", "a.conf"));
        eventually().until(() -> lines("started.log") == 1);

        store.put(p + "a", "2");

        eventually().until(() -> lines("started.log") == 2);
        assertThat(r.exec().starts()).isEqualTo(2);
    }

    @Test
    void whenTheChildExitsTheDaemonStopsWithItsExitCode() throws Exception {
        store.put(p + "a", "1");
        Path go = dir.resolve("go");
        String command = "while [ ! -e '" + go + "' ]; do sleep 0.05; done; exit 7";
        Run r = start(new DaemonConfig.Exec(DaemonConfig.Exec.shell(command), "HUP", "TERM", Duration.ofSeconds(5)),
                template("a={{key:" + p + "a}}\n", "a.conf"));
        eventually().until(() -> r.exec().running());

        Files.writeString(go, "");

        int code = CompletableFuture.supplyAsync(() -> {
            try {
                return r.daemon().awaitExit();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }).get(20, TimeUnit.SECONDS);
        assertThat(code).isEqualTo(7);
        assertThat(dir.resolve("a.conf")).as("the last good file stays").hasContent("a=1\n");
    }

    @Test
    void aStopSignalGoesToTheChildAndTheDaemonEndsWithItsExitCode() throws Exception {
        store.put(p + "a", "1");
        Run r = start(new DaemonConfig.Exec(script(), "HUP", "TERM", Duration.ofSeconds(5)),
                template("a={{key:" + p + "a}}\n", "a.conf"));
        eventually().until(() -> lines("started.log") == 1);

        assertThat(r.exec().stop("TERM")).isTrue();

        eventually().until(() -> !r.exec().running());
        assertThat(r.daemon().awaitExit()).as("the script's TERM trap exits 0").isZero();
    }

    @Test
    void otherSignalsArePassedOnToTheChild() throws Exception {
        store.put(p + "a", "1");
        Run r = start(new DaemonConfig.Exec(script(), null, "TERM", Duration.ofSeconds(5)),
                template("a={{key:" + p + "a}}\n", "a.conf"));
        eventually().until(() -> lines("started.log") == 1);

        r.exec().signal("HUP");

        eventually().until(() -> lines("hups.log") == 1);
    }
}

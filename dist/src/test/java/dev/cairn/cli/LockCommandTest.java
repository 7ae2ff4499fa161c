package dev.cairn.cli;

import dev.cairn.client.CairnClient;
import dev.cairn.client.KvLock;
import dev.cairn.client.SessionClient;
import dev.cairn.store.session.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code cairn lock}: two invocations against one in-process server, observed through files. */
class LockCommandTest extends ServerTestBase {

    @TempDir
    Path dir;

    private static CompletableFuture<Cli.Result> lockAsync(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "lock";
        System.arraycopy(args, 0, all, 1, args.length);
        return CompletableFuture.supplyAsync(() -> cairn(all));
    }

    private static List<Session> sessionsNamed(String name) {
        return server.state().sessions().list().value().stream().filter(s -> s.name().equals(name)).toList();
    }

    /** A shell command that logs its start, waits for {@code go}, then logs its end. */
    private String holdUntil(String tag, Path go) {
        Path log = dir.resolve("log");
        return "echo start " + tag + " >> " + log + "; touch " + dir.resolve("running-" + tag)
                + "; while [ ! -f " + go + " ]; do sleep 0.05; done; echo end " + tag + " >> " + log;
    }

    @Test
    void aSecondHolderWaitsUntilTheFirstCommandHasExited() throws Exception {
        Path go1 = dir.resolve("go1");
        Path go2 = dir.resolve("go2");
        CompletableFuture<Cli.Result> first = lockAsync("-name", p + "first", p + "job", holdUntil("1", go1));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("running-1")));
        assertThat(stored(p + "job/.lock").orElseThrow().session()).isEqualTo(sessionsNamed(p + "first").get(0).id());

        CompletableFuture<Cli.Result> second = lockAsync("-name", p + "second", p + "job", holdUntil("2", go2));
        await().atMost(Duration.ofSeconds(10)).until(() -> sessionsNamed(p + "second").size() == 1);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .until(() -> !Files.exists(dir.resolve("running-2")));

        Files.createFile(go1);
        Cli.Result r1 = first.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("running-2")));
        Files.createFile(go2);
        Cli.Result r2 = second.get(10, TimeUnit.SECONDS);

        assertThat(r1.exitCode()).as(r1.toString()).isZero();
        assertThat(r2.exitCode()).as(r2.toString()).isZero();
        assertThat(Files.readAllLines(dir.resolve("log"))).containsExactly("start 1", "end 1", "start 2", "end 2");
        assertThat(sessionsNamed(p + "first")).as("sessions are destroyed on exit").isEmpty();
        assertThat(sessionsNamed(p + "second")).isEmpty();
        assertThat(stored(p + "job/.lock")).as("the unheld lock key is removed").isEmpty();
    }

    @Test
    void theExitCodeAndOutputAreTheCommands() {
        Cli.Result shell = cairn("lock", p + "a", "echo out; echo err >&2; exit 3");
        Cli.Result argv = cairn("lock", p + "a", "sh", "-c", "exit 4");

        assertThat(shell.exitCode()).as(shell.toString()).isEqualTo(3);
        assertThat(shell.out()).isEqualTo("out\n");
        assertThat(shell.stderr()).isEqualTo("err\n");
        assertThat(argv.exitCode()).as(argv.toString()).isEqualTo(4);
    }

    @Test
    void losingTheLockStopsTheCommandAndExits1() throws Exception {
        CompletableFuture<Cli.Result> holder = lockAsync("-name", p + "doomed", p + "lost",
                "touch " + dir.resolve("running") + "; sleep 60");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("running")));

        new SessionClient(new CairnClient(URI.create("http://" + addr), null))
                .destroy(sessionsNamed(p + "doomed").get(0).id());

        Cli.Result r = holder.get(15, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderr()).contains("Lock lost, killing child");
    }

    @Test
    void aTimeoutGivesUpWaitingAndRunsNothing() throws Exception {
        Path go = dir.resolve("go");
        CompletableFuture<Cli.Result> holder = lockAsync(p + "t", holdUntil("1", go));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("running-1")));

        Cli.Result late = cairn("lock", "-timeout", "1s", "-name", p + "late", p + "t", "touch " + dir.resolve("ran"));

        assertThat(late.exitCode()).as(late.toString()).isEqualTo(1);
        assertThat(late.stderr()).contains("timed out after 1s");
        assertThat(dir.resolve("ran")).doesNotExist();
        assertThat(sessionsNamed(p + "late")).isEmpty();
        Files.createFile(go);
        assertThat(holder.get(10, TimeUnit.SECONDS).exitCode()).isZero();
    }

    @Test
    void aKeyThatIsNotALockIsAConflict() {
        cairn("kv", "put", p + "c/.lock", "not a lock");

        Cli.Result r = cairn("lock", p + "c", "true");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("does not match lock use");
        assertThat(stored(p + "c/.lock").orElseThrow().flags()).isNotEqualTo(KvLock.LOCK_FLAG);
    }

    @Test
    void usageErrorsExit2() {
        assertThat(cairn("lock", p + "x").exitCode()).isEqualTo(2);
        Cli.Result bad = cairn("lock", "-timeout", "soon", p + "x", "true");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.stderr()).contains("Invalid -timeout \"soon\"");
    }
}

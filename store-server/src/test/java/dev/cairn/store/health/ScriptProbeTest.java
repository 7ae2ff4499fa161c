package dev.cairn.store.health;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Script checks: exit 0 passing, 1 warning, anything else critical; killed at the timeout. */
class ScriptProbeTest {

    private final ExecutorService scripts = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scripts.shutdownNow();
        timer.shutdownNow();
    }

    private CheckResult run(String script, Duration timeout) throws Exception {
        return new ScriptProbe(scripts, timer, List.of("/bin/sh", "-c", script), timeout).run()
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void exitZeroIsPassingWithStdoutAndStderr() throws Exception {
        CheckResult r = run("echo out; echo err >&2", Duration.ofSeconds(5));

        assertThat(r.status()).isEqualTo("passing");
        assertThat(r.output()).contains("out\n").contains("err\n");
    }

    @Test
    void exitOneIsWarning() throws Exception {
        assertThat(run("echo degraded; exit 1", Duration.ofSeconds(5)))
                .isEqualTo(CheckResult.warning("degraded\n"));
    }

    @Test
    void exitTwoIsCritical() throws Exception {
        assertThat(run("echo down; exit 2", Duration.ofSeconds(5)))
                .isEqualTo(CheckResult.critical("down\n"));
    }

    @Test
    void aScriptStillRunningAtTheTimeoutIsKilledAndCritical() throws Exception {
        long start = System.nanoTime();

        // "; echo" keeps the shell from exec'ing sleep: its child must be killed too
        CheckResult r = run("sleep 30; echo never", Duration.ofMillis(300));

        assertThat(r).isEqualTo(CheckResult.critical("Timed out (300ms) running check"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void longOutputKeepsTheLast4Kb() throws Exception {
        CheckResult r = run("head -c 5000 /dev/zero | tr '\\0' a; printf END", Duration.ofSeconds(5));

        assertThat(r.output()).startsWith("Captured 4096 of 5003 bytes\n...\n").endsWith("aEND")
                .hasSize("Captured 4096 of 5003 bytes\n...\n".length() + 4096);
    }

    @Test
    void aMissingProgramIsCritical() throws Exception {
        CheckResult r = new ScriptProbe(scripts, timer, List.of("/no/such/program"), Duration.ofSeconds(5)).run()
                .get(10, TimeUnit.SECONDS);

        assertThat(r.status()).isEqualTo("critical");
        assertThat(r.output()).startsWith("Failed to run /no/such/program: ");
    }
}

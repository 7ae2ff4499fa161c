package dev.cairn.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@code cairn SUBCOMMAND} other than the server, run from the jar under test as a child process
 * of the test, its stdout and stderr appended to a log file. {@link #close()} stops it (SIGTERM,
 * then SIGKILL); call it in a finally.
 */
abstract class CairnChildProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    protected CairnChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code java -jar cairn.jar SUBCOMMAND -http-addr 127.0.0.1:PORT ARGS} in {@code workDir};
     * {@code environment} adjusts the child's environment.
     */
    protected static Process launch(Path workDir, Path log, String subcommand, int httpPort,
                                    Consumer<Map<String, String>> environment, String... args) {
        List<String> cmd = new ArrayList<>(List.of(CairnProcess.javaBinary(), "-Xmx256m", "-jar",
                CairnProcess.jar().toString(), subcommand, "-http-addr", "127.0.0.1:" + httpPort));
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            environment.accept(pb.environment());
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + cmd, e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to exit by itself; its exit code. */
    int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " still running after " + seconds + " s\n" + log());
        }
        return process.exitValue();
    }

    /** SIGTERM, then waits up to 20 s for the exit; its exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        return awaitExit(20);
    }

    /** SIGKILL: no goodbye, as a crash or {@code kill -9} would leave things. */
    void kill9() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return "cairn " + name + " pid " + process.pid() + "; log:\n" + log();
    }
}

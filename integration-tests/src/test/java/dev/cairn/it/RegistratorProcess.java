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

/**
 * A {@code cairn registrator} running as a child process of the test against one
 * {@link CairnProcess}, its output appended to {@code registrator.log} in the work dir.
 */
final class RegistratorProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private RegistratorProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** {@code java -jar cairn.jar registrator -http-addr SERVER ARGS}, with extra environment (DOCKER_HOST). */
    static RegistratorProcess start(Path workDir, int httpPort, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(CairnProcess.javaBinary(), "-Xmx256m", "-jar",
                CairnProcess.jar().toString(), "registrator", "-http-addr", "127.0.0.1:" + httpPort));
        cmd.addAll(List.of(args));
        Path log = workDir.resolve("registrator.log");
        try {
            Files.createDirectories(workDir);
            Files.writeString(log, "---- " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().remove("DOCKER_HOST");
            pb.environment().putAll(env);
            return new RegistratorProcess(pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + cmd, e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to exit by itself; its exit code. */
    int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("registrator still running after " + seconds + " s\n" + log());
        }
        return process.exitValue();
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
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
        return "cairn registrator pid " + process.pid() + "; log:\n" + log();
    }
}

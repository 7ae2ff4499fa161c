package dev.cairn.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code cairn template} daemon (no {@code -once}) running as a child process of the test,
 * pointed at one {@link CairnProcess}, its stdout and stderr in {@code template.log} in its work
 * dir. {@link #close()} stops it (SIGTERM, then SIGKILL); call it in a finally.
 */
final class TemplateDaemonProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private TemplateDaemonProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code java -jar cairn.jar template ARGS} in {@code workDir} against {@code server}. */
    static TemplateDaemonProcess start(Path workDir, CairnProcess server, String... args) {
        List<String> cmd = new ArrayList<>(List.of(CairnProcess.javaBinary(), "-Xmx256m", "-jar",
                CairnProcess.jar().toString(), "template", "-http-addr", "127.0.0.1:" + server.httpPort()));
        cmd.addAll(List.of(args));
        Path log = workDir.resolve("template.log");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().remove("CONSUL_HTTP_ADDR");
            pb.environment().remove("CAIRN_HTTP_ADDR");
            return new TemplateDaemonProcess(pb.start(), log);
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
        return "cairn template pid " + process.pid() + "; log:\n" + log();
    }
}

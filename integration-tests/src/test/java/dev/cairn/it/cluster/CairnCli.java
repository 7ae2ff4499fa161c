package dev.cairn.it.cluster;

import dev.cairn.it.CairnProcess;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one {@code cairn <command> -http-addr 127.0.0.1:<port> ...} as a real process (the jar under test). */
final class CairnCli {

    /** Exit status and combined stdout/stderr. */
    record Result(int exit, String output) {
        @Override
        public String toString() {
            return "exit " + exit + ":\n" + output;
        }
    }

    private CairnCli() {
    }

    /** {@code cairn <args...> -http-addr 127.0.0.1:<server's HTTP port>}, killed after 60 s. */
    static Result run(CairnProcess server, String... args) {
        List<String> cmd = new ArrayList<>(List.of(CairnProcess.javaBinary(), "-Xmx128m", "-jar",
                CairnProcess.jar().toString()));
        cmd.addAll(List.of(args));
        cmd.add("-http-addr");
        cmd.add("127.0.0.1:" + server.httpPort());
        try {
            Path out = Files.createTempFile("cairn-cli-", ".out");
            try {
                Process p = new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
                if (!p.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                    throw new AssertionError(String.join(" ", args) + " still running after 60 s:\n"
                            + Files.readString(out, StandardCharsets.UTF_8));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package dev.cairn.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A {@code cairn registrator} running as a child process of the test against one
 * {@link CairnProcess}, its output appended to {@code registrator.log} in the work dir.
 */
final class RegistratorProcess extends CairnChildProcess {

    private RegistratorProcess(Process process, Path log) {
        super("registrator", process, log);
    }

    /** {@code java -jar cairn.jar registrator -http-addr SERVER ARGS}, with extra environment (DOCKER_HOST). */
    static RegistratorProcess start(Path workDir, int httpPort, Map<String, String> env, String... args) {
        Path log = workDir.resolve("registrator.log");
        try {
            Files.createDirectories(workDir);
            // restarts append to the same log: a header tells the runs apart
            Files.writeString(log, "---- cairn registrator " + String.join(" ", args) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RegistratorProcess(launch(workDir, log, "registrator", httpPort, environment -> {
            environment.remove("DOCKER_HOST");
            environment.putAll(env);
        }, args), log);
    }
}

package dev.cairn.it;

import java.nio.file.Path;

/**
 * A {@code cairn template} daemon (no {@code -once}) running as a child process of the test,
 * pointed at one {@link CairnProcess}, its stdout and stderr in {@code template.log} in its work
 * dir. {@link #close()} stops it (SIGTERM, then SIGKILL); call it in a finally.
 */
final class TemplateDaemonProcess extends CairnChildProcess {

    private TemplateDaemonProcess(Process process, Path log) {
        super("template", process, log);
    }

    /** Starts {@code java -jar cairn.jar template ARGS} in {@code workDir} against {@code server}. */
    static TemplateDaemonProcess start(Path workDir, CairnProcess server, String... args) {
        Path log = workDir.resolve("template.log");
        return new TemplateDaemonProcess(launch(workDir, log, "template", server.httpPort(), environment -> {
            environment.remove("CONSUL_HTTP_ADDR");
            environment.remove("CAIRN_HTTP_ADDR");
        }, args), log);
    }
}

package dev.cairn.watcher;

import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Runs a template's command ({@code nginx -s reload}) through {@code /bin/sh -c}, as
 * consul-template does, so pipes, {@code &&} and variables work as users write them. The command's
 * output goes to ours; it has no input; it is killed when it outlives the timeout.
 */
final class CommandRunner {

    /** How long to keep copying output after the shell exits (a background child may hold it open). */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private final Duration timeout;
    private final OutputStream out;
    private final OutputStream err;

    CommandRunner(Duration timeout, OutputStream out, OutputStream err) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("command timeout must be positive, not " + timeout);
        }
        this.timeout = timeout;
        this.out = out;
        this.err = err;
    }

    /** What became of a command. */
    record Outcome(int exitCode, boolean timedOut) {
        boolean ok() {
            return exitCode == 0 && !timedOut;
        }
    }

    /** Runs {@code command} and waits for it (at most the timeout). */
    Outcome run(String command) throws IOException {
        CommandLine line = new CommandLine("/bin/sh");
        line.addArgument("-c");
        line.addArgument(command, false); // verbatim: the shell does the quoting
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(timeout).get();
        PumpStreamHandler streams = new PumpStreamHandler(new Unclosable(out), new Unclosable(err), null);
        streams.setStopTimeout(DRAIN_TIMEOUT);
        DefaultExecutor executor = DefaultExecutor.builder().setExecuteStreamHandler(streams).get();
        executor.setWatchdog(watchdog);
        executor.setExitValues(null); // every exit code is an answer, not an exception
        int exit;
        try {
            exit = executor.execute(line);
        } catch (ExecuteException e) {
            exit = e.getExitValue();
        } finally {
            out.flush();
            err.flush();
        }
        return new Outcome(exit, watchdog.killedProcess());
    }

    /** Commons Exec closes the streams it pumps into; ours are the process's own stdout/stderr. */
    private static final class Unclosable extends OutputStream {
        private final OutputStream target;

        Unclosable(OutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            target.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            target.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            target.flush();
        }

        @Override
        public void close() throws IOException {
            target.flush();
        }
    }
}

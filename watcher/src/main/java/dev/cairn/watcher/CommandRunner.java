package dev.cairn.watcher;

import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import org.apache.commons.exec.Watchdog;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

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
        return run(command, Map.of());
    }

    /**
     * Runs {@code command} with {@code extraEnv} added to this process's environment (a check
     * command finds the rendered file in {@code CAIRN_RENDERED}).
     */
    Outcome run(String command, Map<String, String> extraEnv) throws IOException {
        return run(command, extraEnv, () -> {
        });
    }

    /**
     * As {@link #run(String, Map)}, and once the process has started (its timeout running) calls
     * {@code whileRunning} on this thread, before waiting for it: work that need not delay the
     * command, such as making the file it reads durable ({@link OutputPublisher}). Not called if
     * the process could not be started. It must not throw.
     */
    Outcome run(String command, Map<String, String> extraEnv, Runnable whileRunning) throws IOException {
        CommandLine line = new CommandLine("/bin/sh");
        line.addArgument("-c");
        line.addArgument(command, false); // verbatim: the shell does the quoting
        TreeWatchdog watchdog = new TreeWatchdog(timeout, whileRunning);
        PumpStreamHandler streams = new PumpStreamHandler(new Unclosable(out), new Unclosable(err), null);
        streams.setStopTimeout(DRAIN_TIMEOUT);
        DefaultExecutor executor = DefaultExecutor.builder().setExecuteStreamHandler(streams).get();
        executor.setWatchdog(watchdog);
        executor.setExitValues(null); // every exit code is an answer, not an exception
        int exit;
        try {
            if (extraEnv.isEmpty()) {
                exit = executor.execute(line);
            } else {
                Map<String, String> env = new HashMap<>(System.getenv());
                env.putAll(extraEnv);
                exit = executor.execute(line, env);
            }
        } catch (ExecuteException e) {
            exit = e.getExitValue();
        } finally {
            out.flush();
            err.flush();
        }
        return new Outcome(exit, watchdog.killedProcess());
    }

    /**
     * Kills the shell's children too when the timeout strikes: killing only {@code /bin/sh} would
     * leave {@code sleep 60} (or a hung {@code nginx -t}) running, holding our output pipes open.
     *
     * <p>Also the hook for {@code whileRunning}: Commons Exec's synchronous {@code execute} starts
     * the process, its output pumps and then this watchdog, on the calling thread, and then waits
     * for the process; so {@link #start} is the first moment the process runs, timed.
     */
    private static final class TreeWatchdog extends ExecuteWatchdog {
        private final Runnable whileRunning;
        private Process process;

        @SuppressWarnings("deprecation") // the builder makes no subclasses
        TreeWatchdog(Duration timeout, Runnable whileRunning) {
            super(timeout.toMillis());
            this.whileRunning = whileRunning;
        }

        @Override
        public void start(Process process) {
            synchronized (this) {
                this.process = process;
                super.start(process);
            }
            // outside the lock: a timeout striking meanwhile must not wait for it
            whileRunning.run();
        }

        @Override
        public synchronized void timeoutOccured(Watchdog w) {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
            }
            super.timeoutOccured(w);
        }
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

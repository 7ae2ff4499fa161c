package dev.cairn.store.health;

import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ProcessDestroyer;
import org.apache.commons.exec.PumpStreamHandler;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A script check ({@code Args}), run with Commons Exec: exit 0 is passing, 1 is warning, anything
 * else is critical; the output is stdout and stderr together, the last 4 KB kept as Consul does.
 * A script still running at the timeout is killed with its child processes and the check is
 * critical. The wait for the process holds a thread of the bounded script pool.
 */
final class ScriptProbe implements Probe {

    static final int MAX_OUTPUT = 4096;
    /** How long to wait for output pipes held open by a process the script left behind. */
    private static final Duration PIPE_DRAIN = Duration.ofSeconds(2);

    private final ExecutorService scripts;
    private final ScheduledExecutorService timer;
    private final List<String> args;
    private final Duration timeout;

    ScriptProbe(ExecutorService scripts, ScheduledExecutorService timer, List<String> args, Duration timeout) {
        this.scripts = scripts;
        this.timer = timer;
        this.args = args;
        this.timeout = timeout;
    }

    @Override
    public CompletableFuture<CheckResult> run() {
        try {
            return CompletableFuture.supplyAsync(this::runNow, scripts);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(CheckResult.critical("check pool stopped"));
        }
    }

    private CheckResult runNow() {
        CommandLine command = new CommandLine(args.get(0));
        args.subList(1, args.size()).forEach(a -> command.addArgument(a, false));
        TailBuffer output = new TailBuffer(MAX_OUTPUT);
        PumpStreamHandler streams = new PumpStreamHandler(output);
        streams.setStopTimeout(PIPE_DRAIN);
        Killer killer = new Killer();
        DefaultExecutor executor = DefaultExecutor.builder().setExecuteStreamHandler(streams).get();
        executor.setExitValues(null);   // every exit code is a result, not an exception
        executor.setProcessDestroyer(killer);
        ScheduledFuture<?> deadline = timer.schedule(killer::timeout, timeout.toNanos(), TimeUnit.NANOSECONDS);
        int exit;
        try {
            exit = executor.execute(command);
        } catch (Exception e) {
            if (killer.timedOut()) {
                return timedOut();
            }
            return CheckResult.critical("Failed to run " + args.get(0) + ": " + CheckResult.describe(e));
        } finally {
            deadline.cancel(false);
        }
        if (killer.timedOut()) {
            return timedOut();
        }
        String text = output.text();
        return switch (exit) {
            case 0 -> CheckResult.passing(text);
            case 1 -> CheckResult.warning(text);
            default -> CheckResult.critical(text);
        };
    }

    private CheckResult timedOut() {
        return CheckResult.critical("Timed out (" + timeout.toMillis() + "ms) running check");
    }

    /**
     * Hears of the process from Commons Exec (as its ProcessDestroyer) so that the timeout can kill
     * it together with its children: killing only a shell would leave its children running, holding
     * the output pipes open.
     */
    private static final class Killer implements ProcessDestroyer {
        private Process process;
        private boolean timedOut;

        @Override
        public synchronized boolean add(Process p) {
            process = p;
            if (timedOut) {
                kill();
            }
            return true;
        }

        @Override
        public synchronized boolean remove(Process p) {
            return true;
        }

        @Override
        public int size() {
            return 1;
        }

        synchronized void timeout() {
            timedOut = true;
            kill();
        }

        synchronized boolean timedOut() {
            return timedOut;
        }

        private void kill() {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    /** Keeps the last {@code cap} bytes written (stdout and stderr pumps write concurrently). */
    static final class TailBuffer extends OutputStream {
        private final byte[] ring;
        private long total;

        TailBuffer(int cap) {
            ring = new byte[cap];
        }

        @Override
        public synchronized void write(int b) {
            ring[(int) (total++ % ring.length)] = (byte) b;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }

        /** Consul's form: the whole output, or "Captured N of M bytes\n...\n" and the tail. */
        synchronized String text() {
            if (total <= ring.length) {
                return new String(ring, 0, (int) total, StandardCharsets.UTF_8);
            }
            int start = (int) (total % ring.length);
            byte[] tail = new byte[ring.length];
            System.arraycopy(ring, start, tail, 0, ring.length - start);
            System.arraycopy(ring, 0, tail, ring.length - start, start);
            return "Captured " + ring.length + " of " + total + " bytes\n...\n"
                    + new String(tail, StandardCharsets.UTF_8);
        }
    }
}

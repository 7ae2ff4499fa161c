package dev.cairn.watcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * consul-template's exec mode ({@code -exec CMD}): the daemon supervises one child process, the
 * app that reads the rendered files.
 *
 * <ul>
 *   <li>The child starts once every template has been rendered ({@link TemplateDaemon.Listener#allRendered}),
 *       so it never reads a missing or half-filled config.</li>
 *   <li>When an output is written afterwards, the child gets the exec {@code reload_signal}; with
 *       none, it is restarted: {@code kill_signal}, up to {@code kill_timeout} to exit, SIGKILL,
 *       started again. Several writes in a burst make one reload or restart.</li>
 *   <li>Signals the daemon receives can be passed on with {@link #signal}; {@link #stop} is the
 *       stop-signal path: the signal, then SIGKILL after {@code kill_timeout}.</li>
 *   <li>When the child exits and we did not ask it to (a restart), the daemon stops and
 *       {@link TemplateDaemon#awaitExit} returns the child's exit code.</li>
 * </ul>
 *
 * All starts, reloads and stops run one at a time on the supervisor's own thread, so a write
 * arriving during a restart cannot start a second child. The child inherits the daemon's stdin,
 * stdout and stderr and environment.
 */
public final class ExecSupervisor implements TemplateDaemon.Listener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ExecSupervisor.class);

    private final TemplateDaemon daemon;
    private final DaemonConfig.Exec exec;
    private final ExecutorService actions = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cairn-exec");
        t.setDaemon(true);
        return t;
    });
    /** A reload or restart is queued and has not begun: later writes join it. */
    private final AtomicBoolean changePending = new AtomicBoolean();

    // guarded by this
    private Process child;
    /** A child we are stopping on purpose: its exit does not stop the daemon. */
    private Process retiring;
    private boolean closed;
    private int starts;

    private ExecSupervisor(TemplateDaemon daemon, DaemonConfig.Exec exec) {
        this.daemon = daemon;
        this.exec = exec;
    }

    /** Supervises {@code exec}'s command for {@code daemon}; call before {@link TemplateDaemon#start}. */
    public static ExecSupervisor attach(TemplateDaemon daemon, DaemonConfig.Exec exec) {
        ExecSupervisor s = new ExecSupervisor(Objects.requireNonNull(daemon, "daemon"), Objects.requireNonNull(exec, "exec"));
        daemon.addListener(s);
        return s;
    }

    @Override
    public void allRendered() {
        submit(this::startChild);
    }

    @Override
    public void written(TemplateConfig template, Duration sinceChange) {
        synchronized (this) {
            if (child == null || closed) {
                return; // the first writes come before the child starts
            }
        }
        if (changePending.compareAndSet(false, true)) {
            submit(this::changed);
        }
    }

    /** Passes a signal ({@code HUP}, {@code USR1}, ...) on to the child, if it runs. */
    public void signal(String signal) {
        Process p;
        synchronized (this) {
            p = child;
        }
        if (p != null && p.isAlive()) {
            log.info("exec: passing SIG{} to pid {}", signal, p.pid());
            kill(p, signal);
        }
    }

    /**
     * The daemon was told to stop with {@code signal}: passes it on to the child and gives it
     * {@code kill_timeout} to exit (then SIGKILL); its exit then stops the daemon with its code.
     * Returns false if no child runs (the caller stops the daemon itself).
     */
    public boolean stop(String signal) {
        Process p;
        synchronized (this) {
            if (child == null || closed) {
                closed = true;
                return false;
            }
            closed = true; // no start or restart after this
            p = child;
        }
        log.info("exec: passing SIG{} to pid {}; SIGKILL in {}", signal, p.pid(), DurationText.format(exec.killTimeout()));
        terminate(p, signal);
        return true;
    }

    /** Whether the child runs now (for tests). */
    synchronized boolean running() {
        return child != null && child.isAlive();
    }

    /** How many times a child was started (for tests). */
    synchronized int starts() {
        return starts;
    }

    /** Stops the child if it still runs (kill_signal, then SIGKILL after kill_timeout); starts nothing more. */
    @Override
    public void close() {
        Process p;
        synchronized (this) {
            closed = true;
            p = child;
            retiring = p;
        }
        actions.shutdownNow();
        if (p != null && p.isAlive()) {
            terminate(p, exec.killSignal());
        }
    }

    // ------------------------------------------------------------------ on the supervisor thread

    private void startChild() {
        synchronized (this) {
            if (closed || child != null) {
                return;
            }
            child = launch();
        }
    }

    /** Called holding the lock. Null (and the daemon stopping with 127) if the command cannot start. */
    private Process launch() {
        ProcessBuilder pb = new ProcessBuilder(exec.command()).inheritIO();
        try {
            Process p = pb.start();
            starts++;
            log.info("exec: started pid {}: {}", p.pid(), String.join(" ", exec.command()));
            p.onExit().thenAccept(this::exited);
            return p;
        } catch (IOException e) {
            log.error("exec: cannot start {}: {}; stopping", exec.command().get(0), e.getMessage());
            closed = true;
            stopDaemon(127);
            return null;
        }
    }

    private void changed() {
        changePending.set(false);
        Process p;
        synchronized (this) {
            if (closed || child == null) {
                return;
            }
            p = child;
            if (exec.reloadSignal() == null) {
                retiring = p;
            }
        }
        if (exec.reloadSignal() != null) {
            log.info("exec: output changed: sending SIG{} to pid {}", exec.reloadSignal(), p.pid());
            kill(p, exec.reloadSignal());
            return;
        }
        log.info("exec: output changed: restarting pid {} (SIG{})", p.pid(), exec.killSignal());
        terminate(p, exec.killSignal());
        synchronized (this) {
            if (closed) {
                // stopped during the restart: nothing will report this exit, so stop here
                child = null;
                stopDaemon(p.isAlive() ? 1 : p.exitValue());
                return;
            }
            child = launch();
        }
    }

    private void exited(Process p) {
        int code = p.exitValue();
        synchronized (this) {
            if (p == retiring || p != child) {
                log.info("exec: pid {} stopped (exit code {})", p.pid(), code);
                return;
            }
            child = null;
            closed = true;
        }
        log.info("exec: pid {} exited with code {}; stopping", p.pid(), code);
        stopDaemon(code);
    }

    private void stopDaemon(int code) {
        Thread t = new Thread(() -> daemon.close(code), "cairn-exec-stop");
        t.setDaemon(true);
        t.start();
    }

    /** {@code signal}, up to kill_timeout to exit, then SIGKILL; waits until it is gone. */
    private void terminate(Process p, String signal) {
        kill(p, signal);
        try {
            if (!p.waitFor(exec.killTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("exec: pid {} still running {} after SIG{}: SIGKILL", p.pid(),
                        DurationText.format(exec.killTimeout()), signal);
                p.destroyForcibly(); // SIGKILL on Unix
                p.waitFor();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends {@code signal} ({@code HUP}, {@code TERM}, ...) to {@code p}. {@link Process} and
     * {@link ProcessHandle} can only send SIGTERM ({@code destroy}) and SIGKILL
     * ({@code destroyForcibly}); for any other signal the JDK has no API, so this runs
     * {@code kill -SIG PID}, as scripts would.
     */
    static void kill(Process p, String signal) {
        try {
            Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!k.waitFor(5, TimeUnit.SECONDS)) {
                k.destroyForcibly();
            }
        } catch (IOException e) {
            log.error("exec: cannot run kill -{} {}: {}", signal, p.pid(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void submit(Runnable action) {
        try {
            actions.execute(action);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    @Override
    public String toString() {
        return "ExecSupervisor[" + String.join(" ", exec.command()) + "]";
    }

    /** The argv, for messages. */
    List<String> command() {
        return exec.command();
    }
}

package dev.cairn.cli;

import dev.cairn.client.CairnClient;
import dev.cairn.client.KvLock;
import dev.cairn.client.SessionClient;
import dev.cairn.client.UnreachableException;
import dev.cairn.store.http.GoDuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code cairn lock PREFIX COMMAND...}, as {@code consul lock}: runs COMMAND while holding the lock
 * {@code PREFIX/.lock}, so at most one such command runs at a time across every machine that uses
 * the same server and prefix.
 *
 * <p>The lock is held through a session with a 15 s TTL, renewed every 5 s; if this process dies,
 * the server releases the lock once the TTL runs out. If the lock is lost while COMMAND runs (the
 * session was destroyed or invalidated), COMMAND is terminated and this exits 1. Otherwise the
 * exit code is COMMAND's. SIGINT and SIGTERM are passed on to COMMAND; the lock is released once
 * it exits.
 */
@Command(name = "lock", description = "Run COMMAND while holding the lock PREFIX/.lock (as consul lock).")
final class LockCommand implements java.util.concurrent.Callable<Integer> {

    static final String SESSION_TTL = "15s";
    static final Duration RENEW_EVERY = Duration.ofSeconds(5);
    static final Duration KILL_GRACE = Duration.ofSeconds(5);

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-name", "--name"}, paramLabel = "NAME",
            description = "Session name (default: \"Cairn lock for '<command>' at '<prefix>'\").")
    String name;

    @Option(names = {"-timeout", "--timeout"}, paramLabel = "DURATION", defaultValue = "0s",
            description = "How long to wait for the lock, e.g. 30s; 0 waits forever (the default).")
    String timeout;

    @Parameters(index = "0", paramLabel = "PREFIX", description = "The lock is the key PREFIX/.lock.")
    String prefix;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND",
            description = "Run through /bin/sh -c when one argument, else as the program and its arguments.")
    List<String> command;

    LockCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws Exception {
        Duration wait = parseTimeout(timeout);
        String p = prefix.startsWith("/") ? prefix.substring(1) : prefix;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        String key = p.isEmpty() ? ".lock" : p + "/.lock";
        String shown = String.join(" ", command);
        CairnClient http = server.client();
        SessionClient sessions = new SessionClient(http);
        String session = sessions.create(name != null ? name : "Cairn lock for '" + shown + "' at '" + prefix + "'",
                SESSION_TTL);
        KvLock lock = new KvLock(http, key, session);
        AtomicBoolean lost = new AtomicBoolean();
        ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(daemon("cairn-lock-renew"));
        Thread waiter = Thread.currentThread();
        AtomicBoolean signalled = new AtomicBoolean();
        try (AutoCloseable whileWaiting = SignalForwarder.register(sig -> {
            signalled.set(true);
            waiter.interrupt();
        })) {
            renewer.scheduleWithFixedDelay(() -> renew(sessions, session, renewer), RENEW_EVERY.toMillis(),
                    RENEW_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            boolean held;
            try {
                held = lock.acquire(wait);
            } catch (InterruptedException | UnreachableException e) {
                if (!signalled.get()) {
                    throw e;
                }
                Thread.interrupted();
                io.error("Shutdown triggered during lock acquisition");
                return 1;
            }
            if (!held) {
                io.error("Lock acquisition failed: timed out after " + timeout + " waiting for " + key);
                return 1;
            }
            whileWaiting.close();
            if (signalled.get()) {
                // the signal came just as the lock was taken: do not start the command
                Thread.interrupted();
                io.error("Shutdown triggered during lock acquisition");
                return 1;
            }
            return runHolding(lock, lost);
        } catch (KvLock.ConflictException e) {
            io.error("Lock acquisition failed: " + e.getMessage());
            return 1;
        } finally {
            renewer.shutdownNow();
            cleanUp(lock, sessions, session, lost.get());
        }
    }

    /** Runs the child while a monitor watches the lock; returns the exit code to use. */
    private int runHolding(KvLock lock, AtomicBoolean lost) throws Exception {
        List<Thread> output = new ArrayList<>();
        Process child = start(output);
        Thread monitor = new Thread(() -> {
            try {
                lock.awaitLoss();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
            if (child.isAlive() && lost.compareAndSet(false, true)) {
                io.error("Lock lost, killing child");
                terminate(child);
            }
        }, "cairn-lock-monitor");
        monitor.setDaemon(true);
        try (AutoCloseable forwarding = SignalForwarder.register(sig -> forward(child, sig))) {
            monitor.start();
            int code = child.waitFor();
            monitor.interrupt();
            for (Thread t : output) {
                t.join(1000); // a grandchild may keep the pipe open: do not wait for it
            }
            return lost.get() ? 1 : code;
        } finally {
            monitor.interrupt();
        }
    }

    private Process start(List<Thread> output) throws IOException {
        List<String> argv = command.size() == 1 ? List.of("/bin/sh", "-c", command.get(0)) : command;
        ProcessBuilder pb = new ProcessBuilder(argv);
        // as consul lock without -pass-stdin: the child reads nothing from us
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        boolean system = io.out() == System.out && io.err() == System.err;
        if (system) {
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + argv.get(0) + ": " + e.getMessage(), e);
        }
        if (!system) {
            output.add(pump(child.getInputStream(), io.out()));
            output.add(pump(child.getErrorStream(), io.err()));
        }
        return child;
    }

    private static Thread pump(InputStream from, OutputStream to) {
        Thread t = new Thread(() -> {
            try (from) {
                from.transferTo(to);
                to.flush();
            } catch (IOException e) {
                // the child is gone or our stream closed: nothing left to copy
            }
        }, "cairn-lock-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void forward(Process child, String signal) {
        if ("TERM".equals(signal)) {
            child.destroy();
            return;
        }
        try {
            new ProcessBuilder("/bin/sh", "-c", "kill -" + signal + " " + child.pid()).start().waitFor();
        } catch (IOException e) {
            child.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM to the child and what it started, then SIGKILL after a grace period (as consul lock). */
    private static void terminate(Process child) {
        child.descendants().forEach(ProcessHandle::destroy);
        child.destroy();
        try {
            if (!child.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void renew(SessionClient sessions, String session, ScheduledExecutorService renewer) {
        try {
            if (!sessions.renew(session)) {
                // gone: the monitor sees the lock go and stops the child; nothing more to renew
                renewer.shutdown();
            }
        } catch (RuntimeException e) {
            // unreachable or a server error: keep trying, the TTL leaves room for a short outage
        }
    }

    /** Releases the lock, destroys the session and removes the unheld lock key; best effort. */
    private void cleanUp(KvLock lock, SessionClient sessions, String session, boolean lost) {
        try {
            if (!lost) {
                lock.release();
            }
            sessions.destroy(session);
            lock.deleteIfUnheld();
        } catch (RuntimeException e) {
            io.error("Cleaning up lock session " + session + " failed: " + Main.message(e));
        }
    }

    static Duration parseTimeout(String text) {
        try {
            Duration d = GoDuration.parse(text);
            if (d.isNegative()) {
                throw new IllegalArgumentException("must not be negative");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new UsageException("Invalid -timeout \"" + text + "\": " + e.getMessage() + " (use e.g. 30s)");
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}

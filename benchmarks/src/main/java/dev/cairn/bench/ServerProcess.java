package dev.cairn.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A server under test, run as a child process with its output in a log file. Closing it stops
 * it (SIGTERM, then SIGKILL after 10 s). Its pid is appended to {@code pidFile} so that run.sh
 * can still kill it if this JVM itself dies without running its finally blocks.
 */
final class ServerProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ServerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ServerProcess start(String name, List<String> command, Path log, Path pidFile) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Files.writeString(pidFile, p.pid() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new ServerProcess(name, p, log);
    }

    /** Waits until {@code ready} holds, polling every 100 ms; fails if the process exits or time runs out. */
    ServerProcess awaitReady(BooleanSupplier ready, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (ready.getAsBoolean()) {
                return this;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " not ready after " + timeout + "; see " + log);
    }

    /** True once the log contains {@code marker}. */
    boolean logContains(String marker) {
        try {
            return Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(marker);
        } catch (IOException e) {
            return false;
        }
    }

    /** CPU time (user + system) the server has used so far, in nanoseconds. */
    long cpuNanos() {
        return process.toHandle().info().totalCpuDuration()
                .orElseThrow(() -> new IllegalStateException("no CPU time for " + name)).toNanos();
    }

    /**
     * CPU time so far, in clock ticks (/proc, 1/100 s here), of the whole process and of its JIT
     * compiler threads ({@code C1/C2 CompilerThread*}): {total, compiler}. A JVM whose compiler
     * threads have gone quiet under load has compiled its hot paths.
     */
    long[] cpuTicksWithCompiler() {
        long total = 0;
        long compiler = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // "tid (comm) state ..." where comm may hold spaces: fields after the last ')'
                    int close = stat.lastIndexOf(')');
                    String[] f = stat.substring(close + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                    total += ticks;
                    if (stat.substring(stat.indexOf('(') + 1, close).contains("CompilerThre")) {
                        compiler += ticks;
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("no /proc entry for " + name + ": " + e.getMessage());
        }
        return new long[] {total, compiler};
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    String name() {
        return name;
    }

    /** kill -9 (SIGKILL: no shutdown hook, no flush) and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " still running 10 s after SIGKILL");
        }
    }

    /** Sends SIGTERM without waiting: {@link #close()} then waits (a group of servers stops in parallel). */
    void terminate() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }

    @Override
    public void close() throws InterruptedException {
        // descendants first: none expected, but a wrapper script would leave its server behind
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

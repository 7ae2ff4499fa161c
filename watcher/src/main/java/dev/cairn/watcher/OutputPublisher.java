package dev.cairn.watcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Puts one rendered output in place, the last steps of DESIGN.md's pipeline, shared by
 * {@code -once} and the daemon:
 *
 * <ol>
 * <li>output identical to the destination: stop (no write, no command);
 * <li>write a temp file next to the destination ({@link AtomicFileWriter#stage});
 * <li>run the template's {@code check_command} on it, its path in {@code CAIRN_RENDERED}; a failing
 * check drops the temp file and leaves the destination as it was;
 * <li>rename it over the destination (mode and owner kept, {@code perms}, optional {@code DEST.bak});
 * <li>run the template's {@code command}, fsyncing the folder (which makes the rename durable)
 * while it starts rather than before: the command does not wait for the disk, and the rename is
 * durable before {@code publish} returns; if the command fails, put the previous file back (when
 * there was one) and run the command again, so the service runs with the config it had.
 * </ol>
 *
 * <p>Each step logs one line naming the template, with its duration and exit code. Problems come
 * back as one line each, for {@code -once} to print and the daemon to count; the caller serializes
 * calls for one template (never two reloads of one service at once).
 */
final class OutputPublisher {

    private static final Logger log = LoggerFactory.getLogger(OutputPublisher.class);

    /** What became of an output. */
    enum Status {
        /** The destination already held it. */
        UNCHANGED,
        /** Written, and its command (if any) succeeded. */
        WRITTEN,
        /** The check command failed: the destination is unchanged. */
        CHECK_FAILED,
        /** The file could not be written: the destination is unchanged. */
        WRITE_FAILED,
        /** Written, but the command failed: the previous file was put back (if there was one). */
        COMMAND_FAILED
    }

    /** @param problem one line saying what went wrong, or null */
    record Outcome(Status status, String problem) {
        boolean ok() {
            return problem == null;
        }
    }

    private static final Runnable NOTHING = () -> {
    };

    private final PrintStream out;
    private final PrintStream err;
    private final AtomicFileWriter.FolderSync folderSync;

    /** @param out, err where commands' output goes */
    OutputPublisher(PrintStream out, PrintStream err) {
        this(out, err, AtomicFileWriter.FSYNC);
    }

    /** As above; {@code folderSync} makes renames durable (tests record it). */
    OutputPublisher(PrintStream out, PrintStream err, AtomicFileWriter.FolderSync folderSync) {
        this.out = out;
        this.err = err;
        this.folderSync = folderSync;
    }

    Outcome publish(TemplateConfig t, int newFilePerms, String output) {
        String name = t.name();
        Path dest = t.destination();
        AtomicFileWriter writer = new AtomicFileWriter(newFilePerms, t.perms(), t.createDestDirs(), folderSync);
        byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        String failed;
        byte[] previous;
        Path target;
        try (AtomicFileWriter.Staged staged = writer.stage(dest, bytes)) {
            if (staged == null) {
                log.debug("{}: {} unchanged", name, dest);
                return new Outcome(Status.UNCHANGED, null);
            }
            if (!t.checkCommand().isEmpty()) {
                String checkFailed = run(t, "check", t.checkCommand(), Map.of("CAIRN_RENDERED", staged.temp().toString()),
                        NOTHING);
                if (checkFailed != null) {
                    return new Outcome(Status.CHECK_FAILED, checkFailed + "; " + dest + " left as it was");
                }
            }
            staged.swap(t.backup());
            log.info("{}: wrote {} ({} bytes) in {} ms", name, dest, bytes.length, millis(start));
            if (t.command().isEmpty()) {
                return new Outcome(Status.WRITTEN, null); // closing fsyncs the folder
            }
            // The command reads the new file as soon as it is renamed: the folder's fsync, which
            // makes the rename survive a crash, runs while the command starts, not before it
            // (measured: BENCHMARKS.md, "Template daemon"). It is done before this returns, and
            // before a rollback writes again; also when the command could not be started. A crash
            // in between may come back with the previous file although the command read the new
            // one: the daemon renders and writes it again when it starts.
            failed = run(t, "command", t.command(), Map.of(), staged::syncFolder);
            staged.syncFolder();
            previous = staged.previous();
            target = staged.target();
        } catch (IOException e) {
            log.warn("{}: cannot write {}: {}", name, dest, describe(e));
            return new Outcome(Status.WRITE_FAILED, name + ": cannot write " + dest + ": " + describe(e));
        }
        if (failed == null) {
            return new Outcome(Status.WRITTEN, null);
        }
        if (previous == null) {
            return new Outcome(Status.COMMAND_FAILED, failed);
        }
        try {
            new AtomicFileWriter(newFilePerms, null, true, folderSync).write(target, previous);
        } catch (IOException e) {
            log.error("{}: cannot put the previous {} back: {}", name, dest, describe(e));
            return new Outcome(Status.COMMAND_FAILED, failed + "; cannot put the previous " + dest + " back: " + describe(e));
        }
        log.warn("{}: put the previous {} back; running the command again", name, dest);
        String again = run(t, "command", t.command(), Map.of(), NOTHING);
        return new Outcome(Status.COMMAND_FAILED, failed + "; put the previous " + dest + " back and ran the command again: "
                + (again == null ? "it succeeded" : "it failed too"));
    }

    /**
     * Runs a check or a command through {@link CommandRunner}, logging one line.
     *
     * @return null if it exited 0, else the problem
     */
    private String run(TemplateConfig t, String what, String command, Map<String, String> env, Runnable whileRunning) {
        long start = System.nanoTime();
        String label = (what.equals("check") ? "check " : "command ") + "\"" + command + "\"";
        try {
            CommandRunner.Outcome o = new CommandRunner(t.commandTimeout(), out, err).run(command, env, whileRunning);
            if (o.timedOut()) {
                log.warn("{}: {} killed after {}", t.name(), label, DurationText.format(t.commandTimeout()));
                return t.name() + ": " + label + " killed after " + DurationText.format(t.commandTimeout());
            }
            if (o.exitCode() != 0) {
                log.warn("{}: {} exited with status {} in {} ms", t.name(), label, o.exitCode(), millis(start));
                return t.name() + ": " + label + " exited with status " + o.exitCode();
            }
            log.info("{}: {} exited with status 0 in {} ms", t.name(), label, millis(start));
            return null;
        } catch (IOException e) {
            log.warn("{}: {} could not run: {}", t.name(), label, describe(e));
            return t.name() + ": " + label + " could not run: " + describe(e);
        }
    }

    static long millis(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}

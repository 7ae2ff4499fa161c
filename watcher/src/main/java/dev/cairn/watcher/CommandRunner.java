package dev.cairn.watcher;

import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import org.apache.commons.exec.Watchdog;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a template's command ({@code nginx -s reload}) as {@code /bin/sh -c COMMAND} would, as
 * consul-template does, so pipes, {@code &&} and variables work as users write them. The command's
 * output goes to ours; it has no input; it is killed, with its children, when it outlives the
 * timeout.
 *
 * <p><b>Without the shell when it is not needed</b> (GNU make's fast path): a command made only of
 * plain words ({@link #argv}: letters, digits, {@code -_./,:+@%=}, separated by spaces or tabs),
 * whose first word is not a shell builtin or reserved word and names a program found on
 * {@code PATH} (or a path to one), is started directly. The shell would only have split it on
 * blanks, looked the program up on {@code PATH} and executed it, so the result is the same; but on
 * this kind of VM every {@code execve} of a dynamically linked program costs about a millisecond,
 * and {@code /bin/sh} was one of three between the rendered file and a reload command starting
 * (BENCHMARKS.md, "Template daemon"). Anything else, including a program not found (so the user
 * sees {@code sh: 1: foo: not found} and exit status 127, as before), goes through the shell.
 */
final class CommandRunner {

    /** How long to keep copying output after the shell exits (a background child may hold it open). */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Characters that mean nothing to {@code sh} inside a word (besides letters and digits).
     * {@code =} is plain except in the first word ({@code FOO=1 cmd} is an assignment).
     */
    private static final String PLAIN = "-_./,:+@%=";

    /**
     * First words the shell treats itself: dash's builtins (some of which, like {@code echo} and
     * {@code test}, behave differently from the programs of the same name), its reserved words,
     * and bash's for good measure (a user may expect bash's meaning; the shell decides).
     */
    private static final Set<String> SHELL_WORDS = Set.of(
            // POSIX reserved words
            "!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then",
            "until", "while",
            // dash builtins
            ".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command", "continue", "echo", "eval",
            "exec", "exit", "export", "false", "fc", "fg", "getopts", "hash", "jobs", "kill", "local",
            "printf", "pwd", "read", "readonly", "return", "set", "shift", "test", "times", "trap", "true",
            "type", "ulimit", "umask", "unalias", "unset", "wait",
            // bash's own
            "[[", "]]", "bind", "builtin", "caller", "compgen", "complete", "compopt", "coproc", "declare",
            "dirs", "disown", "enable", "function", "help", "history", "let", "logout", "mapfile", "popd",
            "pushd", "readarray", "select", "shopt", "source", "suspend", "time", "typeset");

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
        Map<String, String> env = null;
        if (!extraEnv.isEmpty()) {
            env = new HashMap<>(System.getenv());
            env.putAll(extraEnv);
        }
        CommandLine line = commandLine(command, env == null ? System.getenv() : env);
        TreeWatchdog watchdog = new TreeWatchdog(timeout, whileRunning);
        PumpStreamHandler streams = new PumpStreamHandler(new Unclosable(out), new Unclosable(err), null);
        streams.setStopTimeout(DRAIN_TIMEOUT);
        DefaultExecutor executor = DefaultExecutor.builder().setExecuteStreamHandler(streams).get();
        executor.setWatchdog(watchdog);
        executor.setExitValues(null); // every exit code is an answer, not an exception
        int exit;
        try {
            exit = env == null ? executor.execute(line) : executor.execute(line, env);
        } catch (ExecuteException e) {
            exit = e.getExitValue();
        } finally {
            out.flush();
            err.flush();
        }
        return new Outcome(exit, watchdog.killedProcess());
    }

    /** The process to start for {@code command}: the program itself ({@link #argv}), or {@code /bin/sh -c command}. */
    static CommandLine commandLine(String command, Map<String, String> env) {
        List<String> argv = argv(command, env);
        CommandLine line;
        if (argv == null) {
            line = new CommandLine("/bin/sh");
            line.addArgument("-c");
            line.addArgument(command, false); // verbatim: the shell does the quoting
        } else {
            line = new CommandLine(argv.get(0));
            for (String arg : argv.subList(1, argv.size())) {
                line.addArgument(arg, false);
            }
        }
        return line;
    }

    /**
     * The program (its path, as found on {@code env}'s {@code PATH}) and arguments to run
     * {@code command} without a shell, or null when it needs one or when in doubt: shell syntax of
     * any kind (quotes, {@code $}, globs, redirections, {@code ;}, {@code &}, {@code |},
     * {@code #}, {@code ~}, backslashes, newlines, anything not ASCII...), an assignment or a
     * builtin as the first word, or a program that is not there.
     */
    static List<String> argv(String command, Map<String, String> env) {
        List<String> words = plainWords(command);
        if (words == null) {
            return null;
        }
        Path program = findProgram(words.get(0), env);
        if (program == null) {
            return null;
        }
        words.set(0, program.toString());
        return words;
    }

    /** {@code command} split on spaces and tabs if it is nothing but plain words; else null. */
    static List<String> plainWords(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i <= command.length(); i++) {
            char c = i < command.length() ? command.charAt(i) : ' ';
            if (c == ' ' || c == '\t') {
                if (word.length() > 0) {
                    words.add(word.toString());
                    word.setLength(0);
                }
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || PLAIN.indexOf(c) >= 0) {
                word.append(c);
            } else {
                return null;
            }
        }
        if (words.isEmpty() || words.get(0).indexOf('=') >= 0 || SHELL_WORDS.contains(words.get(0))) {
            return null;
        }
        return words;
    }

    /**
     * Where the shell would find {@code name}: itself if it contains a {@code /}, else the first
     * regular file of that name in a {@code PATH} folder; null if that is not an executable file,
     * or if {@code PATH} is unset or holds a relative or empty entry (the shell's rules for those
     * are not worth copying).
     */
    static Path findProgram(String name, Map<String, String> env) {
        if (name.indexOf('/') >= 0) {
            Path p = Path.of(name);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? p : null;
        }
        String path = env.get("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":", -1)) {
            if (!dir.startsWith("/")) {
                return null;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p)) {
                return Files.isExecutable(p) ? p : null;
            }
        }
        return null;
    }

    /**
     * Kills the command's children too when the timeout strikes: killing only {@code /bin/sh} (or
     * a program that started others) would leave {@code sleep 60} (or a hung {@code nginx -t})
     * running, holding our output pipes open.
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

        /**
         * The command first, then the children it had: killed first, a child would let the shell
         * go on to its next command ({@code sleep 60; nginx -s reload} reloaded after the timeout,
         * and the daemon then rolled the file back). {@code super} marks the timeout (only while
         * the command still runs) and sends it SIGTERM; the children, listed before it died (then
         * they are no longer its descendants), get SIGKILL.
         */
        @Override
        public synchronized void timeoutOccured(Watchdog w) {
            List<ProcessHandle> children = process == null ? List.of() : process.descendants().toList();
            super.timeoutOccured(w);
            children.forEach(ProcessHandle::destroyForcibly);
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

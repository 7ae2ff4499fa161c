package dev.cairn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The {@code cairn} command. Usage errors print one line and exit 2; failures print one line and
 * exit 1, as DESIGN.md asks.
 */
@Command(name = "cairn", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = "A Raft KV store and service catalog speaking Consul's HTTP API.",
        subcommands = {ServerCommand.class, KvCommand.class, CatalogCommand.class, ServicesCommand.class,
                MembersCommand.class, OperatorCommand.class, LeaveCommand.class, SnapshotCommand.class,
                LockCommand.class, TemplateCommand.class, RegistratorCommand.class, Version.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Undertow and XNIO log through jboss-logging, which would pick java.util.logging and
        // print two-line entries past simplelogger.properties; route them through SLF4J instead
        System.setProperty("org.jboss.logging.provider", "slf4j");
        preferVfork(System.getProperties(), Runtime.version().feature(), System.getProperty("os.name", ""));
        System.exit(run(args));
    }

    static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

    /**
     * Has the JVM start child processes (template commands, check commands, script checks) with
     * {@code vfork(2)} rather than JDK 17's default {@code posix_spawn}, which first executes the
     * {@code jspawnhelper} program and only then the command: one {@code execve} less, which on
     * the project's VMs is 0.8-1.0 ms from a template's rendered file to its reload command at the
     * median, in every A/B pair measured (BENCHMARKS.md, "Template daemon": "commands without a
     * shell, and vfork"). VFORK was the JDK's own default on Linux up to JDK 11. JDK 25 deprecates
     * it (it prints a warning) and a later JDK removes it, so only below 25, only on Linux, and
     * never over the user's own choice ({@code CAIRN_JAVA_OPTS=-Djdk.lang.Process.launchMechanism=POSIX_SPAWN}
     * brings the JDK's default back). Set before anything starts a process: the JDK reads it once.
     */
    static void preferVfork(Properties props, int jdkFeature, String osName) {
        if (props.getProperty(LAUNCH_MECHANISM) == null && jdkFeature < 25 && osName.equals("Linux")) {
            props.setProperty(LAUNCH_MECHANISM, "VFORK");
        }
    }

    public static int run(String... args) {
        return run(Io.system(), args);
    }

    /** Runs one command line against the given streams and environment; returns the exit code. */
    public static int run(Io io, String... args) {
        CommandLine cli = new CommandLine(new Main(), new Factory(io));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(io.out(), StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(io.err(), StandardCharsets.UTF_8), true);
        cli.setOut(out);
        cli.setErr(err);
        // Go's flag package stops at the first argument that is not a flag, so Consul users
        // write `kv put key -5` and `kv put key -`; picocli would read those as unknown options.
        cli.setStopAtPositional(true);
        // `kv put k @file` and `kv import @file` read the file themselves, as Consul's CLI does;
        // picocli's own @argfile expansion would split its contents into arguments.
        cli.setExpandAtFiles(false);
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("cairn: " + ex.getMessage()
                    + " (see: " + ex.getCommandLine().getCommandSpec().qualifiedName() + " -help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("cairn: " + message(ex));
            return ex instanceof UsageException ? 2 : 1;
        });
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
            io.out().flush();
            io.err().flush();
        }
    }

    static String message(Throwable e) {
        if (e.getMessage() != null && !e.getMessage().isBlank()) {
            return e.getMessage();
        }
        return e.toString();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Hands the {@link Io} to commands and mixins that take one in their constructor. */
    private record Factory(Io io) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            Constructor<K> withIo;
            try {
                withIo = cls.getDeclaredConstructor(Io.class);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
            withIo.setAccessible(true);
            return withIo.newInstance(io);
        }
    }
}

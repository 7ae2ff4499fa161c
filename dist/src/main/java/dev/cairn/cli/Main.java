package dev.cairn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cairn} command. Usage errors print one line and exit 2; failures print one line and
 * exit 1, as DESIGN.md asks.
 */
@Command(name = "cairn", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        description = "A Raft KV store and service catalog speaking Consul's HTTP API.",
        subcommands = {ServerCommand.class, KvCommand.class, Version.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("cairn: " + ex.getMessage()
                    + " (see: " + ex.getCommandLine().getCommandSpec().qualifiedName() + " -help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("cairn: " + message(ex));
            return ex instanceof UsageException ? 2 : 1;
        });
        return cli.execute(args);
    }

    static String message(Throwable e) {
        if (e.getMessage() != null && !e.getMessage().isBlank()) {
            return e.getMessage();
        }
        return e.toString();
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

package dev.cairn.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code cairn kv export [PREFIX]}: the JSON {@code consul kv export} writes, for {@code kv import}. */
@Command(name = "export", description = "Print keys under PREFIX (default: all) as JSON for kv import.")
final class KvExportCommand implements Callable<Integer> {

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX")
    String prefix = "";

    KvExportCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        String p = prefix.startsWith("/") ? prefix.substring(1) : prefix;
        io.println(KvExportFormat.write(server.kv().list(p)));
        return 0;
    }
}

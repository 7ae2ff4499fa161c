package dev.cairn.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cairn kv ...}: subcommands against a running server's KV API, as {@code consul kv ...}. */
@Command(name = "kv", description = "Read and write keys on a running server.",
        subcommands = {KvGetCommand.class, KvPutCommand.class, KvDeleteCommand.class,
                KvExportCommand.class, KvImportCommand.class})
final class KvCommand implements Runnable {

    @Mixin
    HelpOption help;

    @Override
    public void run() {
        throw new UsageException("missing subcommand: get, put, delete, export or import");
    }
}

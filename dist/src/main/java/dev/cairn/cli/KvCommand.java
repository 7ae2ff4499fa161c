package dev.cairn.cli;

import picocli.CommandLine.Command;

/** {@code cairn kv ...}: subcommands against a running server's KV API. */
@Command(name = "kv", description = "Read and write keys on a running server.", subcommands = {})
final class KvCommand implements Runnable {
    @Override
    public void run() {
        throw new UsageException("missing subcommand: get, put, delete, export or import");
    }
}

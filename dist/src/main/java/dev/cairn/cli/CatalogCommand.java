package dev.cairn.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cairn catalog ...}: read the service catalog, as {@code consul catalog ...}. */
@Command(name = "catalog", description = "List the services and nodes in the catalog.",
        subcommands = {CatalogServicesCommand.class, CatalogNodesCommand.class})
final class CatalogCommand implements Runnable {

    @Mixin
    HelpOption help;

    @Override
    public void run() {
        throw new UsageException("missing subcommand: services or nodes");
    }
}

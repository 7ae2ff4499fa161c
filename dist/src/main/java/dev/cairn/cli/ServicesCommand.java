package dev.cairn.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cairn services ...}: register and remove services on the server's own node, as {@code consul services}. */
@Command(name = "services", description = "Register and deregister services with the server's local agent.",
        subcommands = {ServicesRegisterCommand.class, ServicesDeregisterCommand.class})
final class ServicesCommand implements Runnable {

    @Mixin
    HelpOption help;

    @Override
    public void run() {
        throw new UsageException("missing subcommand: register or deregister");
    }

    /** Flags stop at the first argument (as in Consul), so a flag after FILE would be taken for a file. */
    static void checkNoFlagAfter(java.util.List<String> args) {
        for (String a : args) {
            if (a.length() > 1 && a.startsWith("-")) {
                throw new UsageException("flags must come before the arguments: " + a);
            }
        }
    }
}

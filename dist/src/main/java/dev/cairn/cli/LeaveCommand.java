package dev.cairn.cli;

import dev.cairn.client.OperatorClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * {@code cairn leave}: the server at -http-addr leaves its cluster gracefully (the others drop it
 * from the Raft configuration) and stops, as {@code consul leave}.
 */
@Command(name = "leave", description = "Make a server leave its cluster gracefully and stop.")
final class LeaveCommand implements Callable<Integer> {

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    LeaveCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        new OperatorClient(server.client()).leave();
        io.println("Graceful leave complete");
        return 0;
    }
}

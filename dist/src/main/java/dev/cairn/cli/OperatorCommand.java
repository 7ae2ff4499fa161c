package dev.cairn.cli;

import dev.cairn.client.OperatorClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Comparator;
import java.util.concurrent.Callable;

/**
 * {@code cairn operator raft list-peers | add-peer | remove-peer}: the Raft configuration of a
 * running cluster, as {@code consul operator raft ...}. {@code add-peer} is Cairn's: it adds a
 * running server that belongs to no cluster yet (Consul servers join through Serf instead).
 */
@Command(name = "operator", description = "Cluster operations.", subcommands = OperatorCommand.Raft.class)
final class OperatorCommand implements Runnable {

    @Mixin
    HelpOption help;

    @Override
    public void run() {
        throw new UsageException("missing subcommand: raft");
    }

    @Command(name = "raft", description = "Inspect and change the Raft configuration.",
            subcommands = {ListPeers.class, AddPeer.class, RemovePeer.class})
    static final class Raft implements Runnable {

        @Mixin
        HelpOption help;

        @Override
        public void run() {
            throw new UsageException("missing subcommand: list-peers, add-peer or remove-peer");
        }
    }

    @Command(name = "list-peers", description = "List the voting servers and which one leads.")
    static final class ListPeers implements Callable<Integer> {

        private final Io io;

        @Mixin
        ClientOptions server;

        @Mixin
        HelpOption help;

        ListPeers(Io io) {
            this.io = io;
        }

        @Override
        public Integer call() {
            Table table = new Table(Table.COLUMNIZE);
            table.row("Node", "ID", "Address", "State", "Voter", "RaftProtocol");
            new OperatorClient(server.client()).raftConfiguration().stream()
                    .sorted(Comparator.comparing(OperatorClient.RaftServer::node))
                    .forEach(s -> table.row(s.node(), s.id(), s.address(), s.leader() ? "leader" : "follower",
                            String.valueOf(s.voter()), "3"));
            table.print(io);
            return 0;
        }
    }

    @Command(name = "add-peer", description = "Add a running server that belongs to no cluster yet.")
    static final class AddPeer implements Callable<Integer> {

        private final Io io;

        @Mixin
        ClientOptions server;

        @Mixin
        HelpOption help;

        @Option(names = {"-address", "--address"}, required = true, paramLabel = "HOST:PORT",
                description = "The new server's Raft address (its -bind and -raft-port).")
        String address;

        AddPeer(Io io) {
            this.io = io;
        }

        @Override
        public Integer call() {
            new OperatorClient(server.client()).addPeer(address);
            io.println("Added peer with address \"" + address + "\".");
            return 0;
        }
    }

    @Command(name = "remove-peer", description = "Remove a server from the Raft configuration.")
    static final class RemovePeer implements Callable<Integer> {

        private final Io io;

        @Mixin
        ClientOptions server;

        @Mixin
        HelpOption help;

        @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "The server's ID (its node name).")
        String id;

        @Option(names = {"-address", "--address"}, paramLabel = "HOST:PORT", description = "The server's Raft address.")
        String address;

        RemovePeer(Io io) {
            this.io = io;
        }

        @Override
        public Integer call() {
            if ((id == null) == (address == null)) {
                throw new UsageException("give exactly one of -id or -address");
            }
            new OperatorClient(server.client()).removePeer(id != null ? id : address, id == null);
            io.println("Removed peer with " + (id != null ? "id \"" + id : "address \"" + address) + "\".");
            return 0;
        }
    }
}

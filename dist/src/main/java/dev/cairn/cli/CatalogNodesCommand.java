package dev.cairn.cli;

import dev.cairn.client.CatalogClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code cairn catalog nodes [-service NAME] [-detailed]}: a {@code Node ID Address DC} table, as
 * {@code consul catalog nodes}. The ID is cut at its first '-' (a UUID's first 8 characters)
 * unless {@code -detailed}, which adds tagged addresses and metadata.
 */
@Command(name = "nodes", description = "List the nodes in the catalog.")
final class CatalogNodesCommand implements Callable<Integer> {

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-service", "--service"}, paramLabel = "NAME",
            description = "Only nodes running an instance of this service.")
    String service;

    @Option(names = {"-detailed", "--detailed"}, description = "Full node IDs, tagged addresses and metadata.")
    boolean detailed;

    CatalogNodesCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        CatalogClient catalog = new CatalogClient(server.client());
        List<CatalogClient.Node> nodes = service == null ? catalog.nodes() : catalog.nodesOf(service);
        if (nodes.isEmpty()) {
            io.error("No nodes match the given query - try expanding your search.");
            return 0;
        }
        Table table = new Table(Table.COLUMNIZE);
        if (detailed) {
            table.row("Node", "ID", "Address", "DC", "TaggedAddresses", "Meta");
            nodes.forEach(n -> table.row(n.name(), n.id(), n.address(), n.datacenter(),
                    keyValues(n.taggedAddresses()), keyValues(n.meta())));
        } else {
            table.row("Node", "ID", "Address", "DC");
            nodes.forEach(n -> table.row(n.name(), shortId(n.id()), n.address(), n.datacenter()));
        }
        table.print(io);
        return 0;
    }

    /** Consul shows only a UUID's first group: "4f1d9a6c-..." becomes "4f1d9a6c". */
    static String shortId(String id) {
        int dash = id.indexOf('-');
        return dash > 0 ? id.substring(0, dash) : id;
    }

    /** {@code k1=v1, k2=v2}, sorted by key (the maps are already sorted). */
    private static String keyValues(Map<String, String> m) {
        return m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }
}

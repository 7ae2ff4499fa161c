package dev.cairn.cli;

import dev.cairn.client.CatalogClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cairn catalog services [-tags] [-node NAME]}: service names one per line, sorted; with
 * {@code -tags}, a second column of sorted, comma-separated tags, as {@code consul catalog services}.
 */
@Command(name = "services", description = "List the services in the catalog, sorted by name.")
final class CatalogServicesCommand implements Callable<Integer> {

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-tags", "--tags"}, description = "Show each service's tags too.")
    boolean tags;

    @Option(names = {"-node", "--node"}, paramLabel = "NAME", description = "Only services registered on this node.")
    String node;

    CatalogServicesCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        CatalogClient catalog = new CatalogClient(server.client());
        Map<String, List<String>> services = node == null ? catalog.services() : catalog.servicesOfNode(node);
        if (services.isEmpty()) {
            // Consul's words; an empty answer is not a failure
            io.error(node == null ? "No services match the given query - try expanding your search."
                    : "No services match the given node \"" + node + "\"");
            return 0;
        }
        if (!tags) {
            services.keySet().forEach(io::println);
            return 0;
        }
        Table table = new Table(Table.TABWRITER);
        services.forEach((name, t) -> table.row(name, String.join(",", t)));
        table.print(io);
        return 0;
    }
}

package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.client.CatalogClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code cairn services deregister ID|FILE.json...} or {@code -id ID}, as {@code consul services
 * deregister}. An argument ending in {@code .json} is a definition file whose services' IDs (or
 * names, when they have no ID) are removed; any other argument is a service ID.
 */
@Command(name = "deregister", description = "Remove services by ID, or those a JSON definition file describes.")
final class ServicesDeregisterCommand implements Callable<Integer> {

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "The service ID to remove.")
    String id;

    @Parameters(paramLabel = "ID|FILE.json", arity = "0..*", description = "Service IDs, or definition files.")
    List<String> args = new ArrayList<>();

    ServicesDeregisterCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        ServicesCommand.checkNoFlagAfter(args);
        if (args.isEmpty() && id == null) {
            throw new UsageException("Missing service ID or FILE argument (or -id ID)");
        }
        if (!args.isEmpty() && id != null) {
            throw new UsageException("give ID/FILE arguments or -id, not both");
        }
        List<String> ids = new ArrayList<>();
        if (id != null) {
            if (id.isEmpty()) {
                throw new UsageException("a service ID must not be empty");
            }
            ids.add(id);
        }
        for (String a : args) {
            if (a.toLowerCase(Locale.ROOT).endsWith(".json")) {
                for (ObjectNode s : ServiceDefinitions.load(Path.of(a))) {
                    if (ServiceDefinitions.id(s).isEmpty()) {
                        throw new ServiceDefinitions.BadFileException(Path.of(a), "a service has neither ID nor Name");
                    }
                    ids.add(ServiceDefinitions.id(s));
                }
            } else if (a.isEmpty()) {
                throw new UsageException("a service ID must not be empty");
            } else {
                ids.add(a);
            }
        }
        CatalogClient catalog = new CatalogClient(server.client());
        for (String i : ids) {
            catalog.deregister(i);
            io.println("Deregistered service: " + i);
        }
        return 0;
    }
}

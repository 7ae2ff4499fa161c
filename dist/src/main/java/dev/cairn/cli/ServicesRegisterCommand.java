package dev.cairn.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.client.ApiException;
import dev.cairn.client.CairnClient;
import dev.cairn.client.CatalogClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cairn services register FILE.json...} or {@code cairn services register -name NAME [...]},
 * as {@code consul services register}. Every file is read before anything is sent, so a bad file
 * registers nothing; the server validates each service whole, so a refused one is not half-registered.
 */
@Command(name = "register", sortOptions = false,
        description = "Register services from JSON definition files, or one service from flags.")
final class ServicesRegisterCommand implements Callable<Integer> {

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "Service name (instead of FILE).")
    String name;

    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "Service ID (default: the name).")
    String id;

    @Option(names = {"-address", "--address"}, paramLabel = "ADDR", description = "Service address (default: the node's).")
    String address;

    @Option(names = {"-port", "--port"}, paramLabel = "N", description = "Service port.")
    Integer port;

    @Option(names = {"-tag", "--tag"}, paramLabel = "TAG", description = "A tag; repeat for more.")
    List<String> tags = new ArrayList<>();

    @Option(names = {"-meta", "--meta"}, paramLabel = "KEY=VALUE", description = "A metadata pair; repeat for more.")
    Map<String, String> meta = new LinkedHashMap<>();

    @Parameters(paramLabel = "FILE", arity = "0..*",
            description = "JSON service definition: {\"service\": {...}}, {\"services\": [...]} or a service object.")
    List<String> files = new ArrayList<>();

    ServicesRegisterCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        ServicesCommand.checkNoFlagAfter(files);
        boolean flags = name != null || id != null || address != null || port != null || !tags.isEmpty() || !meta.isEmpty();
        if (files.isEmpty() && name == null) {
            throw new UsageException("Missing FILE argument or -name");
        }
        if (!files.isEmpty() && flags) {
            throw new UsageException("give FILE arguments or -name and its flags, not both");
        }
        List<ObjectNode> services = files.isEmpty() ? List.of(fromFlags()) : ServiceDefinitions.load(files);
        CatalogClient catalog = new CatalogClient(server.client());
        for (ObjectNode s : services) {
            String shown = ServiceDefinitions.name(s);
            try {
                catalog.register(s);
            } catch (ApiException e) {
                io.error("cairn: service \"" + shown + "\" not registered: " + e.getMessage());
                return 1;
            }
            io.println("Registered service: " + shown);
        }
        return 0;
    }

    /** The body as Consul's CLI builds it: only the fields given; the server checks them. */
    private ObjectNode fromFlags() {
        ObjectNode s = CairnClient.JSON.createObjectNode();
        s.put("Name", name);
        if (id != null) {
            s.put("ID", id);
        }
        if (address != null) {
            s.put("Address", address);
        }
        if (port != null) {
            s.put("Port", port);
        }
        if (!tags.isEmpty()) {
            tags.forEach(s.putArray("Tags")::add);
        }
        if (!meta.isEmpty()) {
            ObjectNode m = s.putObject("Meta");
            meta.forEach(m::put);
        }
        return s;
    }
}

package dev.cairn.cli;

import dev.cairn.client.CatalogClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code cairn members [-detailed]}: the cluster's servers from {@code /v1/agent/members}, as
 * {@code consul members} prints them: {@code Node Address Status Type Build Protocol DC}, sorted
 * by node name.
 */
@Command(name = "members", description = "List the cluster's members (its servers).")
final class MembersCommand implements Callable<Integer> {

    /** Serf's MemberStatus values, in order. */
    private static final List<String> STATUSES = List.of("none", "alive", "leaving", "left", "failed");

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-detailed", "--detailed"}, description = "Show every member tag instead of the summary columns.")
    boolean detailed;

    MembersCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        List<CatalogClient.Member> members = new CatalogClient(server.client()).members().stream()
                .sorted(Comparator.comparing(CatalogClient.Member::name)).toList();
        Table table = new Table(Table.COLUMNIZE);
        if (detailed) {
            table.row("Node", "Address", "Status", "Tags");
            for (CatalogClient.Member m : members) {
                String tags = m.tags().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(","));
                table.row(m.name(), address(m), status(m.status()), tags);
            }
        } else {
            table.row("Node", "Address", "Status", "Type", "Build", "Protocol", "DC");
            for (CatalogClient.Member m : members) {
                String type = switch (m.tags().getOrDefault("role", "")) {
                    case "consul" -> "server";
                    case "node" -> "client";
                    default -> "unknown";
                };
                if (type.equals("unknown")) {
                    table.row(m.name(), address(m), status(m.status()), type, "", "", "");
                    continue;
                }
                // Consul builds look like "1.17.0:abcdef12": the column shows the version only
                String build = m.tags().getOrDefault("build", "");
                int colon = build.indexOf(':');
                build = colon >= 0 ? build.substring(0, colon) : build;
                table.row(m.name(), address(m), status(m.status()), type, build,
                        m.tags().getOrDefault("vsn", ""), m.tags().getOrDefault("dc", ""));
            }
        }
        table.print(io);
        return 0;
    }

    static String status(int status) {
        return status >= 0 && status < STATUSES.size() ? STATUSES.get(status) : "unknown";
    }

    private static String address(CatalogClient.Member m) {
        String host = m.addr().contains(":") ? "[" + m.addr() + "]" : m.addr();
        return host + ":" + m.port();
    }
}

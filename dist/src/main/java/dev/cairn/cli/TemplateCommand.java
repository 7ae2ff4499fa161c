package dev.cairn.cli;

import dev.cairn.store.http.GoDuration;
import dev.cairn.template.DataSource;
import dev.cairn.template.Query;
import dev.cairn.watcher.RunException;
import dev.cairn.watcher.StoreClient;
import dev.cairn.watcher.TemplateRunner;
import dev.cairn.watcher.TemplateSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code cairn template}: consul-template's job with Cairn's Mustache templates (TEMPLATES.md).
 * For now it renders once ({@code -once}, {@code -dry}) or lists queries ({@code -parse-only});
 * watching for changes is the template daemon's issue. The work is done by the watcher module's
 * {@link TemplateRunner}; this class turns flags into its options and its errors into exit codes:
 * 2 for a bad command line, 1 for anything that failed (one line per problem).
 */
@Command(name = "template", sortOptions = false,
        description = {"Render templates from the store's data (consul-template's job, in Mustache).",
                "With -once: fetch what the templates need, render, write each output atomically and run "
                        + "its command if the file changed, then exit."})
final class TemplateCommand implements Callable<Integer> {

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-template", "--template"}, paramLabel = "SOURCE:DEST[:COMMAND]",
            description = "A template to render to DEST, and a shell command to run when DEST changed "
                    + "(split on the first two colons: the command may contain more). Repeatable.")
    List<String> templates = new ArrayList<>();

    @Option(names = {"-once", "--once"}, description = "Render every template once and exit.")
    boolean once;

    @Option(names = {"-dry", "--dry"},
            description = "Print what would be written (a \"> DEST\" line, then the content) instead of writing; "
                    + "run no command.")
    boolean dry;

    @Option(names = {"-diff", "--diff"},
            description = "Print a unified diff against the current DEST (with -dry: instead of the content).")
    boolean diff;

    @Option(names = {"-parse-only", "--parse-only"},
            description = "List the queries each template uses and exit, without contacting a server.")
    boolean parseOnly;

    @Option(names = {"-timeout", "--timeout"}, paramLabel = "DURATION", defaultValue = "30s",
            description = "How long -once waits for keys that do not exist yet (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = {"-perms", "--perms"}, paramLabel = "MODE", defaultValue = "0644",
            description = "Mode of output files that do not exist yet (default ${DEFAULT-VALUE}); "
                    + "existing files keep theirs.")
    String perms;

    @Option(names = {"-command-timeout", "--command-timeout"}, paramLabel = "DURATION", defaultValue = "30s",
            description = "How long a template's command may run before it is killed (default ${DEFAULT-VALUE}).")
    String commandTimeout;

    @Option(names = {"-consul-addr", "--consul-addr"}, paramLabel = "ADDR",
            description = "Same as -http-addr, as consul-template spells it.")
    String consulAddr;

    TemplateCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws InterruptedException {
        List<TemplateSpec> specs = specs();
        try {
            if (parseOnly) {
                TemplateRunner.printQueries(specs, io.out());
                return 0;
            }
            if (!once && !dry) {
                throw new UsageException("watching for changes is not available yet: add -once "
                        + "(or -dry to preview, -parse-only to list queries)");
            }
            TemplateRunner.Options options;
            try {
                options = new TemplateRunner.Options(specs, dry, diff, duration("-timeout", timeout), mode(perms),
                        duration("-command-timeout", commandTimeout));
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            StoreClient client = new StoreClient(address(), server.token());
            new TemplateRunner(client, options, local(io.env()), io.out(), io.err()).once();
            return 0;
        } catch (RunException e) {
            io.out().flush();
            e.problems().forEach(p -> io.error("cairn: " + p));
            return 1;
        }
    }

    private List<TemplateSpec> specs() {
        if (templates.isEmpty()) {
            throw new UsageException("no template given: use -template SOURCE:DEST[:COMMAND]");
        }
        List<TemplateSpec> specs = new ArrayList<>();
        for (String t : templates) {
            try {
                specs.add(TemplateSpec.parse(t));
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        return specs;
    }

    /** {@code -consul-addr} is consul-template's name for {@code -http-addr}; both at once is ambiguous. */
    private URI address() {
        if (consulAddr == null || consulAddr.isBlank()) {
            return server.address();
        }
        if (server.httpAddr != null && !server.httpAddr.isBlank()) {
            throw new UsageException("give -http-addr or -consul-addr, not both");
        }
        return ClientOptions.parseAddress(consulAddr.strip(), "-consul-addr");
    }

    private static Duration duration(String flag, String text) {
        try {
            Duration d = GoDuration.parse(text);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new UsageException("Invalid " + flag + " \"" + text + "\": " + e.getMessage() + " (use e.g. 30s)");
        }
    }

    /** An octal mode such as {@code 0644} or {@code 640}. */
    static int mode(String text) {
        if (!text.matches("0?[0-7]{3}")) {
            throw new UsageException("Invalid -perms \"" + text + "\": expected an octal mode such as 0644");
        }
        return Integer.parseInt(text, 8);
    }

    /**
     * {@code env:} from {@link Io}'s environment (so tests can pass their own), {@code file:} from
     * disk. {@code DataSource.local} wants a Map and copies it, while Io only offers lookups.
     */
    private static DataSource local(Function<String, String> env) {
        DataSource files = DataSource.local(Map.of());
        return query -> {
            if (query.kind() != Query.Kind.ENV) {
                return files.get(query);
            }
            String value = env.apply(query.argument());
            return Optional.of(value == null ? List.of() : List.of(value));
        };
    }
}

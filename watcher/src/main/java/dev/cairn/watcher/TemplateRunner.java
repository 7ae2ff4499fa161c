package dev.cairn.watcher;

import dev.cairn.template.DataSource;
import dev.cairn.template.Query;
import dev.cairn.template.RenderResult;
import dev.cairn.template.Template;
import dev.cairn.template.TemplateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Renders templates once against the store ({@code cairn template -once}, {@code -dry},
 * {@code -parse-only}), in three phases, so that nothing is written unless everything can be:
 *
 * <ol>
 * <li><b>Load</b> every template and check every destination can be written (its nearest existing
 * folder is writable). Any problem: report them all, write nothing.
 * <li><b>Render</b> each template until its queries are stable, fetching each new store query
 * once (non-blocking) into a shared {@link QueryCache}. A {@code key:} without default that does
 * not exist holds its template back: a blocking query waits for the key, up to the timeout, and
 * the templates render again (the key may reveal further queries). Any template still incomplete
 * at the deadline fails the run, naming the keys; again nothing is written.
 * <li><b>Write</b> each output through {@link OutputPublisher}: unchanged files are left alone;
 * otherwise a temp file, the template's check command, an atomic rename and its command (a
 * failing command puts the previous file back). With {@code dry}, print instead
 * ({@code > out.conf} then the content, or a unified diff with {@code diff}).
 * </ol>
 *
 * <p>The daemon ({@link TemplateDaemon}) shares the loading, destination checks and publishing.
 */
public final class TemplateRunner {

    private static final Logger log = LoggerFactory.getLogger(TemplateRunner.class);

    /**
     * What to run and how.
     *
     * @param templates the templates, in order
     * @param dry       print what would be written instead of writing, run no command
     * @param diff      print a unified diff against the current file (with or without dry)
     * @param timeout   how long to wait for missing keys ({@code -timeout})
     * @param mode      the mode of destinations that do not exist yet, for templates without their own
     *                  {@code perms} ({@code -perms}, e.g. 0644)
     */
    public record Options(List<TemplateConfig> templates, boolean dry, boolean diff, Duration timeout, int mode) {

        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
        public static final int DEFAULT_MODE = DaemonConfig.DEFAULT_PERMS;
        public static final Duration DEFAULT_COMMAND_TIMEOUT = TemplateConfig.DEFAULT_COMMAND_TIMEOUT;

        public Options {
            templates = List.copyOf(templates);
            if (templates.isEmpty()) {
                throw new IllegalArgumentException("no template given: use -template SOURCE:DESTINATION[:COMMAND]");
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, not " + timeout);
            }
            AtomicFileWriter.permissions(mode); // validates
        }

        /** {@code -template} specs, each with {@code commandTimeout} and otherwise default settings. */
        public Options(List<TemplateSpec> specs, boolean dry, boolean diff, Duration timeout, int mode,
                       Duration commandTimeout) {
            this(configs(specs, commandTimeout), dry, diff, timeout, mode);
        }

        /** These templates with the defaults: write, no diff, 30 s timeouts, mode 0644. */
        public static Options of(List<TemplateSpec> templates) {
            return new Options(templates, false, false, DEFAULT_TIMEOUT, DEFAULT_MODE, DEFAULT_COMMAND_TIMEOUT);
        }

        private static List<TemplateConfig> configs(List<TemplateSpec> specs, Duration commandTimeout) {
            if (commandTimeout == null || commandTimeout.isNegative() || commandTimeout.isZero()) {
                throw new IllegalArgumentException("command timeout must be positive, not " + commandTimeout);
            }
            return specs.stream().map(s -> TemplateConfig.of(s, commandTimeout)).toList();
        }
    }

    /** A loaded template and where it goes. */
    private record Job(TemplateConfig config, Template template) {
        String name() {
            return config.name();
        }
    }

    private final StoreClient client;
    private final Options options;
    private final DataSource local;
    private final PrintStream out;
    private final PrintStream err;
    /** Told which keys a run starts waiting for; tests use it to write a key once the wait began. */
    private Consumer<Set<Query>> onWait = keys -> { };

    /**
     * @param local answers {@code env:} and {@code file:} (normally {@code DataSource.local()})
     * @param out   where {@code -dry} output, diffs and commands' stdout go
     * @param err   where commands' stderr goes
     */
    public TemplateRunner(StoreClient client, Options options, DataSource local, PrintStream out, PrintStream err) {
        this.client = Objects.requireNonNull(client, "client");
        this.options = Objects.requireNonNull(options, "options");
        this.local = Objects.requireNonNull(local, "local");
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
    }

    /** Sets what is told about each wait for missing keys (for tests). */
    TemplateRunner onWait(Consumer<Set<Query>> listener) {
        this.onWait = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * {@code -parse-only}: each template's path, then the queries it uses, one per line, indented.
     * Contacts no server.
     */
    public static void printQueries(List<TemplateConfig> templates, PrintStream out) throws RunException {
        List<Job> jobs = load(templates);
        for (Job job : jobs) {
            out.println(job.name());
            job.template().queries().forEach(q -> out.println("  " + q));
        }
        out.flush();
    }

    /** Renders every template once and writes (or prints) the outputs. */
    public void once() throws RunException, InterruptedException {
        List<Job> jobs = load(options.templates());
        if (!options.dry()) {
            checkDestinations(options.templates());
        }
        Map<Job, RenderResult> results = render(jobs);
        write(results);
    }

    // ------------------------------------------------------------------ load

    private static List<Job> load(List<TemplateConfig> templates) throws RunException {
        List<Job> jobs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (TemplateConfig t : templates) {
            try {
                jobs.add(new Job(t, t.compile()));
            } catch (TemplateException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new RunException(problems);
        }
        return jobs;
    }

    /**
     * Finds what would make a write fail before anything is written: a destination that is a
     * folder, a folder that cannot be created or written, two templates writing one file. Missing
     * folders are fine (the writer creates them) when the nearest existing one is writable.
     */
    static void checkDestinations(List<TemplateConfig> templates) throws RunException {
        List<String> problems = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (TemplateConfig t : templates) {
            Path dest = t.destination();
            Path absolute = dest.toAbsolutePath().normalize();
            if (!seen.add(absolute)) {
                problems.add(dest + ": written by more than one template");
                continue;
            }
            if (Files.exists(dest) && !Files.isRegularFile(dest)) {
                problems.add(dest + ": cannot write: " + (Files.isDirectory(dest) ? "it is a folder" : "not a regular file"));
                continue;
            }
            Path folder = absolute.getParent();
            if (!t.createDestDirs() && folder != null && !Files.isDirectory(folder)) {
                problems.add(dest + ": cannot write: folder " + folder + " does not exist (create_dest_dirs is false)");
                continue;
            }
            while (folder != null && !Files.exists(folder)) {
                folder = folder.getParent();
            }
            if (folder == null) {
                problems.add(dest + ": cannot write: no existing folder above it");
            } else if (!Files.isDirectory(folder)) {
                problems.add(dest + ": cannot write: " + folder + " is not a folder");
            } else if (!Files.isWritable(folder)) {
                problems.add(dest + ": cannot write: folder " + folder + " is not writable");
            }
        }
        if (!problems.isEmpty()) {
            throw new RunException(problems);
        }
    }

    // ------------------------------------------------------------------ render

    private Map<Job, RenderResult> render(List<Job> jobs) throws RunException, InterruptedException {
        QueryCache cache = new QueryCache();
        DataSource source = cache.withLocal(local);
        long deadline = System.nanoTime() + options.timeout().toNanos();
        Map<Job, RenderResult> results = new LinkedHashMap<>();
        Map<StoreRequest, CompletableFuture<QueryResult>> waits = new LinkedHashMap<>();
        Map<StoreRequest, Long> sentIndex = new LinkedHashMap<>();
        try {
            while (true) {
                List<String> problems = new ArrayList<>();
                for (Job job : jobs) {
                    RenderResult previous = results.get(job);
                    if (previous != null && previous.complete()) {
                        continue;
                    }
                    try {
                        results.put(job, job.template().renderUntilStable(source, queries -> fetch(queries, cache)));
                    } catch (TemplateException e) {
                        problems.add(e.getMessage());
                    } catch (StoreException e) {
                        problems.add(job.name() + ": " + e.getMessage());
                    }
                }
                if (!problems.isEmpty()) {
                    throw new RunException(problems);
                }
                Map<Job, RenderResult> incomplete = new LinkedHashMap<>();
                results.forEach((job, r) -> {
                    if (!r.complete()) {
                        incomplete.put(job, r);
                    }
                });
                if (incomplete.isEmpty()) {
                    return results;
                }
                Set<Query> missing = new LinkedHashSet<>();
                incomplete.forEach((job, r) -> {
                    if (job.config().errorOnMissingKey() && !r.missingKeys().isEmpty()) {
                        problems.add(missingKeyError(job.name(), r));
                    }
                    missing.addAll(r.missingKeys());
                    for (Query q : r.waitingFor()) {
                        // store queries were all fetched; only a local one (an unreadable file) can lack data
                        problems.add(job.name() + ": no data for " + q
                                + (q.kind() == Query.Kind.FILE ? " (the file cannot be read)" : ""));
                    }
                });
                if (!problems.isEmpty()) {
                    throw new RunException(problems);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new RunException(timedOut(incomplete));
                }
                try {
                    awaitAnyChange(missing, cache, waits, sentIndex, remaining);
                } catch (StoreException e) {
                    throw new RunException(incomplete.keySet().stream().map(Job::name).collect(Collectors.joining(", "))
                            + ": " + e.getMessage());
                }
            }
        } finally {
            waits.values().forEach(f -> f.cancel(true));
        }
    }

    /**
     * The fetcher for {@link Template#renderUntilStable}: every store query not yet held, one
     * non-blocking request per distinct {@link StoreRequest}, all at once.
     */
    private void fetch(Set<Query> queries, QueryCache cache) throws InterruptedException {
        Map<StoreRequest, CompletableFuture<QueryResult>> pending = new LinkedHashMap<>();
        for (Query q : queries) {
            if (q.kind().isLocal()) {
                continue;
            }
            StoreRequest request = StoreRequest.of(q);
            if (!cache.has(request) && !pending.containsKey(request)) {
                pending.put(request, client.fetch(request, 0, null));
            }
        }
        try {
            for (Map.Entry<StoreRequest, CompletableFuture<QueryResult>> e : pending.entrySet()) {
                cache.update(e.getKey(), 0, await(e.getValue()));
            }
        } finally {
            pending.values().forEach(f -> f.cancel(true));
        }
    }

    /**
     * Blocks on each missing key (one request per key, kept across calls) until one of them
     * answers or {@code remainingNanos} pass; stores what came back.
     */
    private void awaitAnyChange(Set<Query> missing, QueryCache cache,
                                Map<StoreRequest, CompletableFuture<QueryResult>> waits,
                                Map<StoreRequest, Long> sentIndex, long remainingNanos) throws InterruptedException {
        // ask the server to answer a little before our deadline: it adds up to wait/16 of jitter
        Duration wait = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), remainingNanos - remainingNanos / 16));
        for (Query q : missing) {
            StoreRequest request = StoreRequest.of(q);
            if (!waits.containsKey(request)) {
                long index = Math.max(1, cache.nextIndex(request));
                sentIndex.put(request, index);
                waits.put(request, client.fetch(request, index, wait));
                log.debug("waiting up to {} ms for key {}", wait.toMillis(), q.argument());
            }
        }
        onWait.accept(Set.copyOf(missing));
        try {
            CompletableFuture.anyOf(waits.values().toArray(CompletableFuture[]::new))
                    .get(remainingNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // timeout: the caller sees the deadline passed; a failure: taken up below
        }
        for (var it = waits.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<StoreRequest, CompletableFuture<QueryResult>> e = it.next();
            if (e.getValue().isDone()) {
                it.remove();
                cache.update(e.getKey(), sentIndex.remove(e.getKey()), await(e.getValue()));
            }
        }
    }

    private List<String> timedOut(Map<Job, RenderResult> incomplete) {
        List<String> problems = new ArrayList<>();
        incomplete.forEach((job, r) -> {
            List<String> keys = r.missingKeys().stream().map(Query::argument).distinct().toList();
            problems.add(job.name() + ": gave up after " + DurationText.format(options.timeout()) + " waiting for "
                    + (keys.size() == 1 ? "key " : "keys ") + String.join(", ", keys) + " (not in the store)");
        });
        return problems;
    }

    /** {@code error_on_missing_key}: the message for a render that met missing keys. */
    static String missingKeyError(String name, RenderResult r) {
        List<String> keys = r.missingKeys().stream().map(Query::argument).distinct().toList();
        return name + ": missing " + (keys.size() == 1 ? "key " : "keys ") + String.join(", ", keys)
                + " (error_on_missing_key is set)";
    }

    /** The answer of a fetch, or its {@link StoreException}. */
    private static QueryResult await(CompletableFuture<QueryResult> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof StoreException s) {
                throw s;
            }
            throw new StoreException("fetch failed: " + cause, 0, cause);
        }
    }

    // ------------------------------------------------------------------ write

    private void write(Map<Job, RenderResult> results) throws RunException {
        OutputPublisher publisher = new OutputPublisher(out, err);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Job, RenderResult> e : results.entrySet()) {
            Job job = e.getKey();
            Path dest = job.config().destination();
            String output = e.getValue().output();
            try {
                if (options.dry()) {
                    if (options.diff()) {
                        printDiff(dest, current(dest), output);
                    } else {
                        out.write(("> " + dest + "\n").getBytes(StandardCharsets.UTF_8));
                        out.write(output.getBytes(StandardCharsets.UTF_8));
                    }
                    continue;
                }
                String before = options.diff() ? current(dest) : null;
                OutputPublisher.Outcome outcome = publisher.publish(job.config(), options.mode(), output);
                if (options.diff() && outcome.status() != OutputPublisher.Status.UNCHANGED
                        && outcome.status() != OutputPublisher.Status.WRITE_FAILED
                        && outcome.status() != OutputPublisher.Status.CHECK_FAILED) {
                    printDiff(dest, before, output);
                }
                if (!outcome.ok()) {
                    problems.add(outcome.problem());
                }
            } catch (IOException ex) {
                problems.add(job.name() + ": cannot write " + dest + ": " + OutputPublisher.describe(ex));
            }
        }
        out.flush();
        if (!problems.isEmpty()) {
            throw new RunException(problems);
        }
    }

    private void printDiff(Path dest, String before, String after) {
        String oldName = before == null ? "/dev/null" : dest.toString();
        String diff = UnifiedDiff.diff(oldName, dest.toString(), before == null ? "" : before, after);
        out.print(diff);
    }

    /** The destination's current text, or null when it does not exist. */
    private static String current(Path dest) throws IOException {
        try {
            return Files.readString(dest, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (MalformedInputException e) {
            return new String(Files.readAllBytes(dest), StandardCharsets.UTF_8);
        }
    }

    @Override
    public String toString() {
        return "TemplateRunner" + options.templates().stream().map(TemplateConfig::toString)
                .collect(Collectors.joining(", ", "[", "]"));
    }
}

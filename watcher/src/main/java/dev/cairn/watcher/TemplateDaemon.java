package dev.cairn.watcher;

import dev.cairn.template.DataSource;
import dev.cairn.template.TemplateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The template daemon ({@code cairn template} without {@code -once}): keeps every template's
 * destination in step with the store until stopped. DESIGN.md's pipeline, in parts:
 * {@link WatchManager} (one blocking-query loop per distinct query, shared), {@link TemplateJob}
 * (per template: quiescence, render, publish, one run at a time), {@link OutputPublisher} (check,
 * atomic swap, command, rollback) and {@link FileWatcher} (template sources and {@code file:}
 * paths edited on disk).
 *
 * <pre>{@code
 * TemplateDaemon d = new TemplateDaemon(client, config, false, DataSource.local(), System.out, System.err);
 * d.start();                 // RunException: a template does not compile, a destination cannot be written
 * ...  d.reload(newConfig);  // SIGHUP
 * d.close();                 // SIGTERM: in-flight writes and commands finish (commands up to their timeout)
 * int code = d.awaitExit();  // 0 after close(); 1 if a query failed retry.attempts times in a row
 * }</pre>
 *
 * Signals, the embedded {@code -dev} server and log levels are the command line's business.
 */
public final class TemplateDaemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TemplateDaemon.class);

    /**
     * Told what the daemon does; hooks for supervising a child process ({@code -exec}), metrics and
     * benchmarks. Called from the daemon's threads: return quickly.
     */
    public interface Listener {
        /** A template was rendered; {@code complete}: it had all its data (else nothing was written). */
        default void rendered(TemplateConfig template, boolean complete) {
        }

        /** Every template has had its first complete render handled (once per daemon). */
        default void allRendered() {
        }

        /** A destination was replaced; {@code sinceChange} runs from the change that caused it being seen. */
        default void written(TemplateConfig template, Duration sinceChange) {
        }
    }

    private final StoreClient client;
    private final boolean dry;
    private final DataSource local;
    private final PrintStream out;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, threads("cairn-watch"));
    private final ExecutorService workers = Executors.newCachedThreadPool(threads("cairn-render"));
    private final OutputPublisher publisher;
    private final DaemonMetrics metrics;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile String failure;
    /** The exit code {@link #awaitExit} returns after {@link #close}: the supervised child's, else 0. */
    private volatile int closeCode;

    // guarded by this
    private DaemonConfig config;
    private QueryCache cache;
    private WatchManager manager;
    private FileWatcher files;
    private List<TemplateJob> jobs = List.of();
    private final Set<TemplateJob> awaitingFirstRender = new HashSet<>();
    private boolean allRendered;
    private boolean started;
    private boolean stopping;
    private Path pidFile;

    /**
     * @param dry   print each changed output to {@code out} ({@code > DEST} then the content) instead
     *              of writing; run no command
     * @param local answers {@code env:} and {@code file:} (normally {@code DataSource.local()})
     * @param out   where {@code -dry} output and commands' stdout go
     * @param err   where commands' stderr goes
     */
    public TemplateDaemon(StoreClient client, DaemonConfig config, boolean dry, DataSource local, PrintStream out,
                          PrintStream err) {
        this.client = Objects.requireNonNull(client, "client");
        this.config = Objects.requireNonNull(config, "config");
        this.dry = dry;
        this.local = Objects.requireNonNull(local, "local");
        this.out = Objects.requireNonNull(out, "out");
        this.publisher = new OutputPublisher(out, Objects.requireNonNull(err, "err"));
        this.metrics = new DaemonMetrics(() -> {
            WatchManager m;
            synchronized (this) {
                m = manager;
            }
            return m == null ? 0 : m.loopCount();
        });
    }

    public TemplateDaemon addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    public DaemonMetrics metrics() {
        return metrics;
    }

    /**
     * Loads every template and checks every destination (reporting all problems, running
     * nothing), writes the pid file, then starts watching and rendering. Returns at once.
     */
    public synchronized void start() throws RunException {
        if (started) {
            throw new IllegalStateException("already started");
        }
        List<TemplateConfig> templates = config.templates();
        List<dev.cairn.template.Template> compiled = compile(templates);
        if (!dry) {
            TemplateRunner.checkDestinations(templates);
        }
        try {
            files = new FileWatcher(scheduler);
        } catch (IOException e) {
            throw new RunException("cannot watch files for changes: " + e.getMessage());
        }
        if (config.pidFile() != null) {
            try {
                Files.writeString(config.pidFile(), ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
                pidFile = config.pidFile();
            } catch (IOException e) {
                files.close();
                throw new RunException("cannot write pid file " + config.pidFile() + ": " + OutputPublisher.describe(e));
            }
        }
        started = true;
        cache = new QueryCache();
        manager = newManager(cache, config);
        jobs = jobs(templates, compiled, config, context(cache, manager));
        awaitingFirstRender.addAll(jobs);
        log.info("watching {} template{} against {}{}", jobs.size(), jobs.size() == 1 ? "" : "s", client.base(),
                dry ? " (dry run: printing instead of writing)" : "");
        jobs.forEach(TemplateJob::start);
    }

    /**
     * Swaps in a new config (SIGHUP). If a template does not compile or a destination cannot be
     * written, nothing changes and the problems are thrown. Queries the old and new templates
     * share keep their loops and data; runs in progress finish before the new templates start.
     * The server address, log level and pid file stay as they were at start.
     */
    public void reload(DaemonConfig next) throws RunException, InterruptedException {
        List<TemplateJob> old;
        List<TemplateJob> fresh;
        WatchManager oldManager = null;
        synchronized (this) {
            if (stopping || !started) {
                return;
            }
            List<dev.cairn.template.Template> compiled = compile(next.templates());
            if (!dry) {
                TemplateRunner.checkDestinations(next.templates());
            }
            QueryCache nextCache = cache;
            WatchManager nextManager = manager;
            if (!WatchManager.Settings.of(next).equals(manager.settings())) {
                oldManager = manager;
                nextCache = new QueryCache();
                nextManager = newManager(nextCache, next);
            }
            fresh = jobs(next.templates(), compiled, next, context(nextCache, nextManager));
            if (oldManager == null) {
                fresh.forEach(TemplateJob::prime);
            }
            old = jobs;
            jobs = fresh;
            config = next;
            cache = nextCache;
            manager = nextManager;
            old.forEach(TemplateJob::close);
        }
        for (TemplateJob job : old) {
            job.awaitIdle(job.config().commandTimeout().multipliedBy(3).plusSeconds(5));
        }
        if (oldManager != null) {
            oldManager.close();
        }
        synchronized (this) {
            if (stopping) {
                return;
            }
            if (!allRendered) {
                awaitingFirstRender.clear();
                awaitingFirstRender.addAll(fresh);
            }
            log.info("config reloaded: {} template{}", fresh.size(), fresh.size() == 1 ? "" : "s");
            fresh.forEach(TemplateJob::start);
        }
    }

    /**
     * Stops: no new renders, loops stopped, then waits for runs in progress (a write is never cut
     * short; a command runs until it ends or its timeout kills it), removes the pid file.
     */
    @Override
    public void close() {
        List<TemplateJob> stopped;
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            stopped = jobs;
            stopped.forEach(TemplateJob::close);
            if (manager != null) {
                manager.close();
            }
            if (files != null) {
                files.close();
            }
        }
        Duration longest = stopped.stream().map(j -> j.config().commandTimeout()).max(Duration::compareTo)
                .orElse(Duration.ZERO);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(longest.multipliedBy(3).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("runs still in progress at shutdown; interrupting them");
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
        if (pidFile != null) {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                log.warn("cannot remove pid file {}: {}", pidFile, e.toString());
            }
        }
        log.info("stopped");
        exit.complete(failure == null ? closeCode : 1);
    }

    /**
     * Stops as {@link #close} does, then {@link #awaitExit} returns {@code code}: the {@code -exec}
     * child ended, and the daemon ends with its exit code.
     */
    void close(int code) {
        closeCode = code;
        close();
    }

    /** Templates now. */
    public synchronized int templateCount() {
        return jobs.size();
    }

    /** Templates that have had their first complete render handled (all of them, once {@link #allRendered}). */
    public synchronized int renderedCount() {
        return allRendered ? jobs.size() : jobs.size() - awaitingFirstRender.size();
    }

    /** Whether every template has had its first complete render handled. */
    public synchronized boolean allRendered() {
        return allRendered;
    }

    /**
     * Waits until the daemon stopped: 0 after {@link #close}, 1 if it gave up on a query, the
     * child's exit code when an {@link ExecSupervisor}'s child ended.
     */
    public int awaitExit() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Why the daemon stopped on its own, or null. */
    public String failure() {
        return failure;
    }

    /** Distinct store queries watched now (one loop each). */
    int loopCount() {
        return metrics.watchedQueries();
    }

    /** Answers that changed data, over the daemon's life (for tests). */
    synchronized long changesSeen() {
        return manager == null ? 0 : manager.changes();
    }

    // ------------------------------------------------------------------ parts

    private static List<dev.cairn.template.Template> compile(List<TemplateConfig> templates) throws RunException {
        List<dev.cairn.template.Template> compiled = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (TemplateConfig t : templates) {
            try {
                compiled.add(t.compile());
            } catch (TemplateException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new RunException(problems);
        }
        return compiled;
    }

    private List<TemplateJob> jobs(List<TemplateConfig> templates, List<dev.cairn.template.Template> compiled,
                                   DaemonConfig c, TemplateJob.Context ctx) {
        List<TemplateJob> list = new ArrayList<>();
        for (int i = 0; i < templates.size(); i++) {
            list.add(new TemplateJob(templates.get(i), compiled.get(i), c, ctx));
        }
        return List.copyOf(list);
    }

    private WatchManager newManager(QueryCache c, DaemonConfig dc) {
        return new WatchManager(client, c, WatchManager.Settings.of(dc), scheduler, this::giveUp);
    }

    private TemplateJob.Context context(QueryCache c, WatchManager m) {
        return new TemplateJob.Context(c.withLocal(local), c, m, files, publisher, scheduler, workers, metrics, dry, out,
                new TemplateJob.Events() {
                    @Override
                    public void rendered(TemplateJob job, boolean complete) {
                        listeners.forEach(l -> l.rendered(job.config(), complete));
                    }

                    @Override
                    public void firstRendered(TemplateJob job) {
                        TemplateDaemon.this.firstRendered(job);
                    }

                    @Override
                    public void written(TemplateJob job, Duration sinceChange) {
                        listeners.forEach(l -> l.written(job.config(), sinceChange));
                    }
                });
    }

    private void firstRendered(TemplateJob job) {
        synchronized (this) {
            if (allRendered || !awaitingFirstRender.remove(job) || !awaitingFirstRender.isEmpty()) {
                return;
            }
            allRendered = true;
        }
        log.info("all templates rendered");
        listeners.forEach(Listener::allRendered);
    }

    private void giveUp(String message) {
        synchronized (this) {
            if (failure != null || stopping) {
                return;
            }
            failure = message;
        }
        Thread t = new Thread(this::close, "cairn-stop");
        t.setDaemon(true);
        t.start();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String toString() {
        return "TemplateDaemon[" + client.base() + "]";
    }
}

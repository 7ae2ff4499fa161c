package dev.cairn.watcher;

import dev.cairn.template.DataSource;
import dev.cairn.template.Query;
import dev.cairn.template.RenderResult;
import dev.cairn.template.Template;
import dev.cairn.template.TemplateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One template in the daemon: when to render it, and what to do with the output.
 *
 * <p><b>When.</b> A template renders when something it read changed: store data (it
 * {@link WatchManager#subscribe subscribes} to the requests its last render touched), a
 * {@code file:} it read, or its source (recompiled first). Until its first complete render it
 * renders at every change, so it is written as soon as every query it touched has data. After
 * that, changes go through quiescence ({@code wait min:max}): the render comes {@code min} after
 * the last change, but no later than {@code max} after the first, so a burst of changes makes one
 * render and one reload.
 *
 * <p><b>One at a time.</b> Renders, writes and commands of one template run one after another on
 * the shared worker pool ({@code running}/{@code again}): a change that arrives meanwhile makes
 * one more run afterwards, never a second reload alongside the first.
 *
 * <p><b>What.</b> An incomplete render writes nothing. A complete one goes to
 * {@link OutputPublisher} (unchanged: nothing; else temp file, check, rename, command, rollback), or
 * with {@code -dry} to stdout when it differs from what was printed last.
 */
final class TemplateJob implements WatchManager.Subscriber {

    private static final Logger log = LoggerFactory.getLogger(TemplateJob.class);

    /** What the daemon shares with its templates. */
    record Context(DataSource source, QueryCache cache, WatchManager manager, FileWatcher files,
                   OutputPublisher publisher, ScheduledExecutorService scheduler, Executor workers,
                   DaemonMetrics metrics, boolean dry, PrintStream out, Events events) {
    }

    /** What the daemon hears from its templates. */
    interface Events {
        /** A render finished; {@code complete}: every query it touched had data. */
        void rendered(TemplateJob job, boolean complete);

        /** A complete render was handled for the first time (written, unchanged, or printed). */
        void firstRendered(TemplateJob job);

        /** The destination was replaced; {@code sinceChange} is the time from the change that caused it. */
        void written(TemplateJob job, Duration sinceChange);
    }

    private final TemplateConfig config;
    private final DaemonConfig.Wait wait;
    private final int newFilePerms;
    private final Context ctx;
    private final Runnable onSourceChange = this::sourceChanged;
    private final Runnable onFileChange = this::changed;
    private volatile Template template;

    // guarded by this
    private boolean started;
    private boolean closed;
    private boolean running;
    private boolean again;
    private boolean rendered;
    private long firstChange = -1;
    private long changeSeen = -1;
    private ScheduledFuture<?> timer;
    // only touched by the run in progress
    private String printed;

    TemplateJob(TemplateConfig config, Template template, DaemonConfig daemon, Context ctx) {
        this.config = config;
        this.template = template;
        this.wait = daemon.waitFor(config);
        this.newFilePerms = daemon.newFilePerms();
        this.ctx = ctx;
    }

    TemplateConfig config() {
        return config;
    }

    String name() {
        return config.name();
    }

    /** Watches the source and renders for the first time. */
    void start() {
        if (config.source() != null) {
            ctx.files().watch(onSourceChange, Set.of(config.source()));
        }
        synchronized (this) {
            started = true;
        }
        trigger();
    }

    /**
     * Renders once on the calling thread and subscribes to what the render touched, without
     * writing: a config reload primes its new templates this way, so the loops they share with
     * the old ones keep running (and their data stays) while the old ones are closed.
     */
    void prime() {
        try {
            follow(template.render(ctx.source()));
        } catch (RuntimeException e) {
            // the real run reports it
        }
    }

    /** Stops watching; a run in progress finishes (a write is never cut short). */
    void close() {
        synchronized (this) {
            closed = true;
            if (timer != null) {
                timer.cancel(false);
            }
        }
        ctx.manager().unsubscribe(this);
        ctx.files().unwatch(onSourceChange);
        ctx.files().unwatch(onFileChange);
    }

    /** Waits until no run is in progress (after {@link #close}: until the last one finished). */
    synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (running) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    @Override
    public void changed(StoreRequest request) {
        changed();
    }

    /** Something this template read changed: render now, or after quiescence once written. */
    synchronized void changed() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        if (changeSeen < 0) {
            changeSeen = now;
        }
        if (!rendered || wait.off()) {
            trigger();
            return;
        }
        if (firstChange < 0) {
            firstChange = now;
        }
        long at = Math.min(now + wait.min().toNanos(), firstChange + wait.max().toNanos());
        if (timer != null) {
            timer.cancel(false);
        }
        try {
            timer = ctx.scheduler().schedule(this::trigger, Math.max(0, at - now), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Runs now, or once more after the run in progress. */
    private synchronized void trigger() {
        if (closed || !started) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        firstChange = -1;
        if (running) {
            again = true;
            return;
        }
        running = true;
        try {
            ctx.workers().execute(this::runLoop);
        } catch (RejectedExecutionException e) {
            running = false;
        }
    }

    private void runLoop() {
        while (true) {
            long seen;
            synchronized (this) {
                if (closed) {
                    running = false;
                    notifyAll();
                    return;
                }
                seen = changeSeen;
                changeSeen = -1;
            }
            try {
                run(seen);
            } catch (RuntimeException e) {
                log.error("{}: unexpected failure", name(), e);
            }
            synchronized (this) {
                if (!again || closed) {
                    running = false;
                    notifyAll();
                    return;
                }
                again = false;
            }
        }
    }

    private void run(long changeSeenNanos) {
        long start = System.nanoTime();
        RenderResult r;
        try {
            r = template.render(ctx.source());
        } catch (RuntimeException e) {
            ctx.metrics().renderFailed(config);
            log.error("{}: render failed: {}", name(), e.getMessage() != null ? e.getMessage() : e.toString());
            return;
        }
        ctx.metrics().rendered(config);
        follow(r);
        ctx.events().rendered(this, r.complete());
        long renderMs = OutputPublisher.millis(start);
        if (!r.complete()) {
            if (config.errorOnMissingKey() && !r.missingKeys().isEmpty()) {
                ctx.metrics().renderFailed(config);
                log.error("{}: rendered in {} ms: {}", name(), renderMs,
                        TemplateRunner.missingKeyError(name(), r).substring(name().length() + 2));
            } else {
                log.info("{}: rendered in {} ms, not written yet: waiting for {}", name(), renderMs, waitingFor(r));
            }
            return;
        }
        log.info("{}: rendered in {} ms", name(), renderMs);
        if (ctx.dry()) {
            if (!r.output().equals(printed)) {
                printed = r.output();
                byte[] bytes = ("> " + config.destination() + "\n" + r.output()).getBytes(StandardCharsets.UTF_8);
                synchronized (ctx.out()) {
                    ctx.out().write(bytes, 0, bytes.length);
                    ctx.out().flush();
                }
            }
        } else {
            OutputPublisher.Outcome o = ctx.publisher().publish(config, newFilePerms, r.output());
            switch (o.status()) {
                case WRITTEN, COMMAND_FAILED -> {
                    Duration since = changeSeenNanos < 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - changeSeenNanos);
                    ctx.metrics().written(config, since, o.status() == OutputPublisher.Status.COMMAND_FAILED);
                    ctx.events().written(this, since);
                }
                case CHECK_FAILED -> ctx.metrics().checkFailed(config);
                case WRITE_FAILED -> ctx.metrics().writeFailed(config);
                case UNCHANGED -> {
                }
            }
        }
        boolean first;
        synchronized (this) {
            first = !rendered;
            rendered = true;
        }
        if (first) {
            ctx.events().firstRendered(this);
        }
    }

    /**
     * Watches what the render touched: the store requests, and the {@code file:} paths. Data that
     * arrived between the render and the subscription (another template's loop had it) would
     * otherwise go unnoticed: render again.
     */
    private void follow(RenderResult r) {
        Set<StoreRequest> requests = new LinkedHashSet<>();
        Set<Path> files = new LinkedHashSet<>();
        for (Query q : r.dependencies()) {
            if (q.kind() == Query.Kind.FILE) {
                files.add(Path.of(q.argument()));
            } else if (!q.kind().isLocal()) {
                requests.add(StoreRequest.of(q));
            }
        }
        ctx.manager().subscribe(this, requests);
        ctx.files().watch(onFileChange, files);
        for (Query q : r.waitingFor()) {
            if (!q.kind().isLocal() && ctx.cache().has(StoreRequest.of(q))) {
                changed();
                return;
            }
        }
    }

    /** The template file changed: load it again; a broken one is reported and the last good one kept. */
    private void sourceChanged() {
        try {
            ctx.workers().execute(() -> {
                long start = System.nanoTime();
                try {
                    template = config.compile();
                } catch (TemplateException e) {
                    ctx.metrics().renderFailed(config);
                    log.error("{} (keeping the last good version and its output)", e.getMessage());
                    return;
                }
                log.info("{}: template changed on disk; reloaded in {} ms", name(), OutputPublisher.millis(start));
                synchronized (this) {
                    if (changeSeen < 0) {
                        changeSeen = System.nanoTime();
                    }
                }
                trigger();
            });
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private static String waitingFor(RenderResult r) {
        Set<Query> all = new LinkedHashSet<>(r.waitingFor());
        all.addAll(r.missingKeys());
        return all.stream().map(q -> r.missingKeys().contains(q) ? q + " (key does not exist)" : q.toString())
                .collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return "TemplateJob[" + config + "]";
    }
}

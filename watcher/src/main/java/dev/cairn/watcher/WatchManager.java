package dev.cairn.watcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Keeps the store data every template needs fresh: ONE blocking-query loop per distinct
 * {@link StoreRequest}, however many templates read it (DESIGN.md, "The template daemon").
 *
 * <p><b>Sharing.</b> Templates {@link #subscribe} with the set of requests their last render
 * touched; the manager counts subscribers per request, starts a loop for a request when its first
 * subscriber arrives and stops it (and forgets its data) when the last one leaves. Twenty
 * templates reading {@code service:web} cost the server one parked query.
 *
 * <p><b>A loop</b> fetches {@code request} with the index it holds ({@link QueryCache#nextIndex}:
 * 0 at first, so the first answer comes at once; then the server parks the request until the data
 * changes or {@code block_query_wait} ends), stores the answer ({@link QueryCache#update}, which
 * applies Consul's index rules) and, when the data changed, tells the request's subscribers; then
 * it asks again. Everything is asynchronous: a parked request holds no thread
 * ({@link StoreClient} uses {@code HttpClient.sendAsync}); timers run on one shared scheduler.
 * {@code datacenters:*} has no index to block on: it is polled every 15 s, as consul-template does.
 *
 * <p><b>Stale reads.</b> With {@code max_stale} above 0 a loop sends {@code ?stale}, so any server
 * may answer from its own state; if the answer says the server last heard from the leader longer
 * ago than {@code max_stale} ({@code X-Consul-LastContact}), the loop asks again without it.
 *
 * <p><b>Failures.</b> An unreachable server (or a 5xx) is retried with exponential backoff and
 * "equal jitter" (half the delay fixed, half random, so loops that failed together do not come
 * back together): {@code backoff * 2^(n-1)}, at most {@code max_backoff}. The data held stays, so
 * templates keep their last good output. After {@code attempts} failures in a row (0 = never) the
 * manager gives up and says so. Starting while the server is down is the same thing: the loops
 * retry until it answers.
 */
final class WatchManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WatchManager.class);

    /** How often an endpoint without an index ({@code datacenters:*}) is read again. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(15);
    /**
     * The least time between two fetches of one request that brought nothing new. A blocking
     * query that changed nothing normally took {@code block_query_wait}; one that came back at once
     * means a server that does not block, and must not turn the loop into a busy one.
     */
    static final Duration MIN_INTERVAL = Duration.ofMillis(50);

    /** Told when a request it subscribed to has new data (called on a network or timer thread: return quickly). */
    interface Subscriber {
        void changed(StoreRequest request);
    }

    /**
     * @param blockWait    {@code block_query_wait}: how long the server may park a request
     * @param maxStale     {@code max_stale}: 0 never sends {@code ?stale}
     * @param retry        backoff for failures
     * @param pollInterval how often non-blocking endpoints are read
     */
    record Settings(Duration blockWait, Duration maxStale, DaemonConfig.Retry retry, Duration pollInterval) {
        static Settings of(DaemonConfig c) {
            return new Settings(c.blockQueryWait(), c.maxStale(), c.retry(), POLL_INTERVAL);
        }
    }

    private final StoreClient client;
    private final QueryCache cache;
    private final Settings settings;
    private final ScheduledExecutorService scheduler;
    private final Consumer<String> giveUp;
    private final AtomicLong changes = new AtomicLong();

    // guarded by this
    private final Map<StoreRequest, Loop> loops = new HashMap<>();
    private final Map<Subscriber, Set<StoreRequest>> subscriptions = new HashMap<>();
    private boolean closed;

    /**
     * @param giveUp told, once per request, when a request failed {@code retry.attempts} times in a
     *               row; the daemon then stops
     */
    WatchManager(StoreClient client, QueryCache cache, Settings settings, ScheduledExecutorService scheduler,
                 Consumer<String> giveUp) {
        this.client = client;
        this.cache = cache;
        this.settings = settings;
        this.scheduler = scheduler;
        this.giveUp = giveUp;
    }

    Settings settings() {
        return settings;
    }

    /** Sets what {@code subscriber} depends on now, starting and stopping loops as needed. */
    void subscribe(Subscriber subscriber, Set<StoreRequest> requests) {
        synchronized (this) {
            if (closed) {
                return;
            }
            Set<StoreRequest> before = subscriptions.getOrDefault(subscriber, Set.of());
            Set<StoreRequest> now = Set.copyOf(requests);
            if (now.equals(before)) {
                return;
            }
            if (now.isEmpty()) {
                subscriptions.remove(subscriber);
            } else {
                subscriptions.put(subscriber, now);
            }
            for (StoreRequest r : now) {
                if (!before.contains(r)) {
                    loops.computeIfAbsent(r, this::startLoop).subscribers.add(subscriber);
                }
            }
            for (StoreRequest r : before) {
                if (!now.contains(r)) {
                    Loop loop = loops.get(r);
                    loop.subscribers.remove(subscriber);
                    if (loop.subscribers.isEmpty()) {
                        loops.remove(r);
                        loop.stop();
                        cache.remove(r);
                        log.debug("{}: no template reads it any more; stopped watching", r);
                    }
                }
            }
        }
    }

    void unsubscribe(Subscriber subscriber) {
        subscribe(subscriber, Set.of());
    }

    /** How many loops run: one per distinct request in use. */
    synchronized int loopCount() {
        return loops.size();
    }

    /** The requests being watched now. */
    synchronized Set<StoreRequest> watched() {
        return new HashSet<>(loops.keySet());
    }

    /** How many answers changed data so far (for tests and metrics). */
    long changes() {
        return changes.get();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            loops.values().forEach(Loop::stop);
            loops.clear();
            subscriptions.clear();
        }
    }

    private Loop startLoop(StoreRequest request) {
        Loop loop = new Loop(request);
        log.debug("{}: watching", request);
        execute(loop::fetch);
        return loop;
    }

    private void execute(Runnable r) {
        try {
            scheduler.execute(r);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    /** The exponential backoff with equal jitter for the n-th failure in a row (n >= 1). */
    static Duration backoff(DaemonConfig.Retry retry, int failures) {
        long base = retry.backoff().toNanos();
        long max = retry.maxBackoff().toNanos();
        long delay = base;
        for (int i = 1; i < failures && delay < max; i++) {
            delay = delay > max / 2 ? max : delay * 2;
        }
        delay = Math.min(delay, max);
        long half = delay / 2;
        return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(delay - half + 1));
    }

    /** The blocking-query loop of one request. */
    private final class Loop {
        final StoreRequest request;
        /** Changed under the manager's lock, read from network threads. */
        final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();

        // guarded by this
        private boolean stopped;
        private CompletableFuture<QueryResult> inFlight;
        private ScheduledFuture<?> timer;
        // touched by one fetch at a time (each fetch starts after the previous one ended)
        private int failures;
        private boolean consistent;

        Loop(StoreRequest request) {
            this.request = request;
        }

        void fetch() {
            long index = cache.nextIndex(request);
            boolean stale = !consistent && !settings.maxStale().isZero();
            CompletableFuture<QueryResult> f;
            synchronized (this) {
                if (stopped) {
                    return;
                }
                f = client.fetch(request, index, settings.blockWait(), stale);
                inFlight = f;
            }
            long started = System.nanoTime();
            f.whenComplete((result, error) -> {
                if (error != null) {
                    failed(error);
                } else {
                    answered(index, stale, result, started);
                }
            });
        }

        private void answered(long sent, boolean stale, QueryResult result, long started) {
            if (stale && result.lastContactMillis() > settings.maxStale().toMillis()) {
                log.debug("{}: answer {} ms behind the leader, more than max_stale {}; asking the leader",
                        request, result.lastContactMillis(), DurationText.format(settings.maxStale()));
                consistent = true;
                execute(this::fetch);
                return;
            }
            consistent = false;
            if (failures > 0) {
                log.info("{}: answered again after {} failed attempts", request, failures);
                failures = 0;
            }
            boolean changed;
            synchronized (this) {
                if (stopped) {
                    return;
                }
                changed = cache.update(request, sent, result);
            }
            if (changed) {
                changes.incrementAndGet();
                log.debug("{}: new data at index {}", request, result.index());
                for (Subscriber s : subscribers) {
                    s.changed(request);
                }
            }
            if (request.endpoint().blocking()) {
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                if (changed || took.compareTo(MIN_INTERVAL) >= 0) {
                    execute(this::fetch);
                } else {
                    schedule(this::fetch, MIN_INTERVAL.minus(took));
                }
            } else {
                schedule(this::fetch, settings.pollInterval());
            }
        }

        private void failed(Throwable error) {
            synchronized (this) {
                if (stopped) {
                    return;
                }
            }
            Throwable cause = error;
            while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            StoreException e = cause instanceof StoreException s ? s
                    : new StoreException(request + ": " + cause, 0, cause);
            failures++;
            DaemonConfig.Retry retry = settings.retry();
            if (retry.attempts() > 0 && failures > retry.attempts()) {
                log.error("{}: giving up after {} failed attempts: {}", request, failures, e.getMessage());
                giveUp.accept("gave up on " + request + " after " + failures + " failed attempts: " + e.getMessage());
                return;
            }
            // a 4xx (say, an unknown datacenter) will not mend itself soon: try again, but slowly
            Duration delay = e.retryable() ? backoff(retry, failures) : retry.maxBackoff();
            if (failures == 1 || failures % 10 == 0 || !e.retryable()) {
                log.warn("{}: {} (attempt {}); keeping the last data, retrying in {}", request, e.getMessage(),
                        failures, DurationText.format(delay));
            } else {
                log.debug("{}: {} (attempt {}); retrying in {}", request, e.getMessage(), failures,
                        DurationText.format(delay));
            }
            schedule(this::fetch, delay);
        }

        private synchronized void schedule(Runnable r, Duration delay) {
            if (stopped) {
                return;
            }
            try {
                timer = scheduler.schedule(r, delay.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // shutting down
            }
        }

        synchronized void stop() {
            stopped = true;
            if (inFlight != null) {
                inFlight.cancel(true);
            }
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }
}

package dev.cairn.registrator;

import dev.cairn.client.ApiException;
import dev.cairn.client.UnreachableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the agent's services in step with the running containers: registers every published port
 * at start-up and on each {@code start} event, deregisters on {@code die}/{@code stop} (as
 * {@code -deregister} says) and {@code destroy}, and resyncs.
 *
 * <p>All work runs on one thread, in order: event callbacks, periodic resyncs, TTL refreshes and
 * reconnects are queued to it, so the map of what is registered needs no locks and an event never
 * races a resync.
 *
 * <p>Failures: the Docker event stream breaking (engine restart, socket lost) reconnects with
 * backoff, asking for the events since the last one seen (so a container that died meanwhile is
 * still deregistered), then resyncs. A Cairn server that cannot be reached (restart) makes the
 * operation fail; a full resync is then retried every {@code -retry-interval} until one succeeds,
 * registering what is missing. Only ids this host owns ({@code HOST:CONTAINER:PORT}) are ever
 * removed by {@code -cleanup}; other ids are removed only when this process registered them.
 */
public final class Registrator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Registrator.class);
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(30);
    private static final Duration STABLE_STREAM = Duration.ofSeconds(10);

    private final ContainerSource docker;
    private final ServiceRegistry registry;
    private final RegistratorConfig config;
    private final ScheduledExecutorService worker;

    // worker thread only
    private final Map<String, List<Registration>> live = new HashMap<>();
    private final Map<String, List<Registration>> kept = new HashMap<>();
    private AutoCloseable events;
    private long generation;
    private boolean syncPending;
    private Duration reconnectDelay;
    private boolean dockerDown;
    private long connectedAt;
    private volatile long lastEventNanos;
    private volatile boolean closed;

    Registrator(ContainerSource docker, ServiceRegistry registry, RegistratorConfig config) {
        this.docker = docker;
        this.registry = registry;
        this.config = config;
        this.reconnectDelay = config.retryInterval();
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cairn-registrator");
            t.setDaemon(true);
            return t;
        });
    }

    /** A registrator for a Docker engine and a Cairn agent; {@link #start()} it. */
    public static Registrator create(DockerEngine docker, AgentRegistry registry, RegistratorConfig config) {
        return new Registrator(docker, registry, config);
    }

    /**
     * Checks Docker (once: unreachable is an error naming DOCKER_HOST), then Cairn (retried as
     * {@code -retry-attempts}/{@code -retry-interval} say; the last error is thrown), then
     * subscribes to events, syncs every running container (a failed sync is retried in the
     * background) and returns.
     */
    public void start() throws InterruptedException {
        docker.ping();
        awaitRegistry();
        log.info("watching Docker at {}; host {}", docker.address(), config.hostname());
        try {
            worker.submit(this::connect).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("first sync failed", e.getCause());
        }
        if (!config.resync().isZero()) {
            worker.scheduleWithFixedDelay(() -> attempt("resync", this::syncAll), config.resync().toMillis(),
                    config.resync().toMillis(), TimeUnit.MILLISECONDS);
        }
        if (!config.ttlRefresh().isZero()) {
            worker.scheduleWithFixedDelay(this::refreshTtls, config.ttlRefresh().toMillis(),
                    config.ttlRefresh().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void awaitRegistry() throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                registry.ping();
                return;
            } catch (UnreachableException | ApiException | IllegalStateException e) {
                if (config.retryAttempts() != -1 && attempt >= config.retryAttempts()) {
                    throw e;
                }
                log.warn("Cairn not ready ({}); attempt {}/{}, retrying in {} ms", e.getMessage(), attempt + 1,
                        config.retryAttempts() == -1 ? "forever" : config.retryAttempts(),
                        config.retryInterval().toMillis());
                Thread.sleep(config.retryInterval().toMillis());
            }
        }
    }

    /** Subscribes to events since the last one seen, then syncs; on failure tries again later. */
    private void connect() {
        if (closed) {
            return;
        }
        long gen = ++generation;
        closeEvents();
        try {
            // the subscription itself fails asynchronously (Listener.closed): ask first, to back off cleanly
            docker.ping();
            events = docker.events(lastEventNanos, new ContainerSource.Listener() {
                @Override
                public void event(ContainerSource.Event e) {
                    lastEventNanos = Math.max(lastEventNanos, e.timeNanos());
                    run(() -> handle(e));
                }

                @Override
                public void closed(Throwable cause) {
                    run(() -> streamClosed(gen, cause));
                }
            });
        } catch (SourceUnavailableException e) {
            dockerDown = true;
            log.warn("{}; reconnecting in {} ms", e.getMessage(), reconnectDelay.toMillis());
            later(this::connect, reconnectDelay);
            reconnectDelay = min(reconnectDelay.multipliedBy(2), MAX_RECONNECT_DELAY);
            return;
        }
        if (dockerDown) {
            log.info("reconnected to Docker at {}; catching up on events since {}", docker.address(),
                    java.time.Instant.ofEpochSecond(0, lastEventNanos));
        }
        if (lastEventNanos == 0) {
            // nothing seen yet: a reconnect replays from the moment of this subscription
            lastEventNanos = System.currentTimeMillis() * 1_000_000L;
        }
        dockerDown = false;
        connectedAt = System.nanoTime();
        attempt("sync", this::syncAll);
    }

    private void streamClosed(long gen, Throwable cause) {
        if (closed || gen != generation) {
            return;
        }
        // a stream may report its end twice (error, then completion): the first one counts
        generation++;
        dockerDown = true;
        // a stream that breaks soon after it was opened backs off; one that ran a while retries at once
        boolean flapping = System.nanoTime() - connectedAt < STABLE_STREAM.toNanos();
        reconnectDelay = flapping ? min(reconnectDelay.multipliedBy(2), MAX_RECONNECT_DELAY) : config.retryInterval();
        log.warn("Docker event stream from {} lost ({}); reconnecting in {} ms", docker.address(),
                cause == null ? "closed" : cause.getMessage(), reconnectDelay.toMillis());
        closeEvents();
        later(this::connect, reconnectDelay);
    }

    private void handle(ContainerSource.Event e) {
        attempt(e.action() + " " + shortId(e.containerId()), () -> {
            switch (e.action()) {
                case "start" -> add(e.containerId(), null);
                case "die", "stop" -> died(e.containerId(), false);
                case "destroy" -> died(e.containerId(), true);
                default -> { }
            }
        });
    }

    /**
     * Registers a running container's services. {@code present} (the agent's ids, during a sync)
     * re-registers any that went missing; without it only what changed is sent.
     */
    private void add(String id, Set<String> present) {
        Container c = docker.inspect(id).orElse(null);
        if (c == null || !c.running()) {
            return;
        }
        List<Registration> regs = ServiceMapper.map(c, config);
        List<Registration> previous = live.getOrDefault(id, kept.getOrDefault(id, List.of()));
        kept.remove(id);
        Set<String> now = new HashSet<>();
        regs.forEach(r -> now.add(r.id()));
        for (Registration old : previous) {
            if (!now.contains(old.id())) {
                registry.deregister(old.id());
                log.info("deregistered {} (container {} {} changed)", old.id(), c.name(), c.shortId());
            }
        }
        List<Registration> done = new ArrayList<>();
        try {
            for (Registration r : regs) {
                if (!previous.contains(r) || (present != null && !present.contains(r.id()))) {
                    try {
                        registry.register(r);
                    } catch (ApiException e) {
                        if (e.status() >= 500) {
                            throw e;
                        }
                        // refused as invalid (a bad check or Meta key): retrying cannot help; the next sync logs it again
                        log.error("not registered: {} (container {} {}): {}", r.id(), c.name(), c.shortId(),
                                e.getMessage());
                        continue;
                    }
                    log.info("registered {} as {} at {}:{} (container {} {})", r.id(), r.name(), r.address(),
                            r.port(), c.name(), c.shortId());
                }
                done.add(r);
            }
        } finally {
            // remembered even when a later one failed: the retried sync registers the rest
            if (regs.isEmpty()) {
                live.remove(id);
            } else {
                live.put(id, List.copyOf(done));
            }
        }
        if (regs.isEmpty() && previous.isEmpty() && present == null) {
            log.info("ignored container {} {}: no published port to register", c.name(), c.shortId());
        }
    }

    /** A container stopped ({@code destroyed}: it is gone) : deregister its services if -deregister says so. */
    private void died(String id, boolean destroyed) {
        List<Registration> regs = live.get(id);
        if (regs == null) {
            regs = kept.get(id);
            if (regs == null || !destroyed) {
                return;
            }
        }
        if (!destroyed && !shouldRemove(id)) {
            if (live.remove(id) != null) {
                kept.put(id, regs);
            }
            return;
        }
        for (Registration r : regs) {
            registry.deregister(r.id());
            log.info("deregistered {} (container {} {})", r.id(), shortId(id), destroyed ? "destroyed" : "stopped");
        }
        live.remove(id);
        kept.remove(id);
    }

    /**
     * Registrator's {@code shouldRemove}: always, or with {@code on-success} when the container is
     * gone, exited 0, or was killed by a signal (exit code 128+N); a container running again keeps them.
     */
    private boolean shouldRemove(String id) {
        Container c = docker.inspect(id).orElse(null);
        if (c == null) {
            return true;
        }
        if (c.running()) {
            return false;
        }
        if (config.deregister() == RegistratorConfig.Deregister.ALWAYS) {
            return true;
        }
        if (c.exitCode() == 0 || c.exitCode() >= 128) {
            return true;
        }
        log.info("kept services of container {} {}: it exited with {} (-deregister on-success)", c.name(),
                c.shortId(), c.exitCode());
        return false;
    }

    /**
     * Every running container registered (what is missing re-registered), tracked containers that
     * stopped handled as a die, and with {@code -cleanup} this host's services of containers that no
     * longer run removed.
     */
    private void syncAll() {
        List<String> running = docker.running();
        Set<String> runningIds = new HashSet<>(running);
        for (String id : new ArrayList<>(live.keySet())) {
            if (!runningIds.contains(id)) {
                died(id, false);
            }
        }
        Set<String> present = registry.serviceIds();
        for (String id : running) {
            add(id, present);
        }
        if (config.cleanup()) {
            Set<String> wanted = new HashSet<>();
            live.values().forEach(l -> l.forEach(r -> wanted.add(r.id())));
            for (String sid : present) {
                if (ServiceMapper.owns(sid, config.hostname()) && !wanted.contains(sid)) {
                    registry.deregister(sid);
                    log.info("deregistered {} (dangling: no running container has it; -cleanup)", sid);
                }
            }
            kept.clear();
        }
        log.debug("synced {} running containers", running.size());
    }

    private void refreshTtls() {
        attempt("TTL refresh", () -> {
            for (List<Registration> regs : live.values()) {
                for (Registration r : regs) {
                    if (!registry.passTtl(ServiceMapper.ttlCheckId(r.id()))) {
                        log.warn("TTL check of {} unknown to Cairn; resyncing", r.id());
                        requestSync();
                        return;
                    }
                }
            }
        });
    }

    /** Runs a step; when Docker or Cairn fails it, logs one line and has a full resync retried later. */
    private void attempt(String what, Runnable step) {
        if (closed) {
            return;
        }
        try {
            step.run();
        } catch (SourceUnavailableException e) {
            if (dockerDown) {
                // the reconnect syncs once Docker is back; retrying now would only add log lines
                log.debug("{} failed: {}", what, e.getMessage());
                return;
            }
            log.warn("{} failed: {}; resyncing in {} ms", what, e.getMessage(), config.retryInterval().toMillis());
            requestSync();
        } catch (UnreachableException | ApiException | IllegalStateException e) {
            log.warn("{} failed: {}; resyncing in {} ms", what, e.getMessage(), config.retryInterval().toMillis());
            requestSync();
        } catch (RuntimeException e) {
            log.error("{} failed", what, e);
            requestSync();
        }
    }

    private void requestSync() {
        if (!syncPending) {
            syncPending = true;
            later(() -> {
                syncPending = false;
                attempt("resync", this::syncAll);
            }, config.retryInterval());
        }
    }

    private void run(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            // closing: events still arriving are dropped
        }
    }

    private void later(Runnable task, Duration delay) {
        try {
            worker.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void closeEvents() {
        if (events != null) {
            try {
                events.close();
            } catch (Exception e) {
                log.debug("closing the event stream: {}", e.toString());
            }
            events = null;
        }
    }

    /** Stops watching; services stay registered (as Registrator leaves them) for the next start to resync. */
    @Override
    public void close() {
        closed = true;
        try {
            worker.submit(this::closeEvents).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("closing: {}", e.toString());
        }
        worker.shutdownNow();
        docker.close();
    }

    private static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}

package dev.cairn.store.health;

import dev.cairn.store.agent.TtlListener;
import dev.cairn.store.catalog.CheckDefinition;
import dev.cairn.store.catalog.HealthCheck;
import dev.cairn.store.http.ApiContext;
import dev.cairn.store.http.GoDuration;
import dev.cairn.store.http.WatchHub;
import dev.cairn.store.state.WatchKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.channels.AsynchronousChannelGroup;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Runs the health checks registered on this server's own catalog node, as a Consul agent runs
 * its local checks.
 *
 * <p><b>What runs</b> is derived from replicated state only: every check of the node whose
 * definition has a type (HTTP, TCP, script, TTL). Checks without one (registered through the
 * catalog endpoint, maintenance checks, serfHealth) are only ever changed through the API. The
 * scheduler watches the node's watch key on the {@link WatchHub}; each time it fires it first
 * registers again and then reads the state and reconciles, so no change can fall between a read
 * and the next registration. Reconciling starts runners for new checks, stops those of checks
 * that are gone (a deregistered service takes its checks with it) and restarts a runner whose
 * definition changed. It also feeds {@link CriticalReaper}, which deregisters services whose
 * checks stay critical past {@code DeregisterCriticalServiceAfter}.
 *
 * <p><b>Threads</b> are few and bounded, whatever the number of checks: a two-thread scheduler
 * drives every runner, TTL clock and timeout and also serves the HTTP client; TCP connects are
 * asynchronous on a one-thread channel group; scripts, which must be waited for, run on a pool
 * of four. The HTTP clients and the channel group are made on first use.
 *
 * <p><b>Writes</b>: a runner's result goes through {@link CheckReporter}, which proposes it
 * through Raft only when status or output differ from the state.
 */
public final class CheckScheduler implements TtlListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CheckScheduler.class);

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_SCRIPT_TIMEOUT = Duration.ofSeconds(30);
    private static final int SCRIPT_THREADS = 4;

    private final ApiContext ctx;
    private final String node;
    private final LongSupplier ticker;
    private final Duration reapInterval;
    private final CheckReporter reporter;
    private final CriticalReaper reaper;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor scripts;
    private final Map<String, CheckRunner> runners = new ConcurrentHashMap<>();
    private HttpClient http;
    private HttpClient insecureHttp;
    private AsynchronousChannelGroup tcp;
    private volatile WatchHub.Registration watch;
    private volatile boolean closed;

    /**
     * @param reapInterval how often critical services are looked for (Consul: 30 s)
     * @param minDeregisterCriticalAfter the floor under any check's DeregisterCriticalServiceAfter (Consul: 1 min)
     */
    public CheckScheduler(ApiContext ctx, Duration reapInterval, Duration minDeregisterCriticalAfter) {
        this(ctx, reapInterval, minDeregisterCriticalAfter, System::nanoTime);
    }

    CheckScheduler(ApiContext ctx, Duration reapInterval, Duration minDeregisterCriticalAfter, LongSupplier ticker) {
        if (reapInterval.compareTo(Duration.ZERO) <= 0) {
            throw new IllegalArgumentException("check reap interval must be positive, got " + reapInterval);
        }
        this.ctx = ctx;
        this.node = ctx.nodeName();
        this.ticker = ticker;
        this.reapInterval = reapInterval;
        this.reporter = new CheckReporter(ctx.state(), ctx.consensus(), node);
        this.reaper = new CriticalReaper(node, ctx.consensus(), ticker, minDeregisterCriticalAfter);
        this.scheduler = new ScheduledThreadPoolExecutor(2, daemon("cairn-check"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.scripts = new ThreadPoolExecutor(SCRIPT_THREADS, SCRIPT_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon("cairn-check-script"));
        this.scripts.allowCoreThreadTimeOut(true);
    }

    /** Starts watching the node's checks and the reaper. */
    public void start() {
        scheduler.execute(this::watchAndReconcile);
        scheduler.scheduleWithFixedDelay(this::reap, reapInterval.toNanos(), reapInterval.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    @Override
    public void heartbeat(String checkId) {
        CheckRunner r = runners.get(checkId);
        if (r != null) {
            r.heartbeat();
        }
    }

    /** Ids of the checks running now (for tests). */
    Set<String> running() {
        return Set.copyOf(runners.keySet());
    }

    CheckRunner runner(String checkId) {
        return runners.get(checkId);
    }

    private void watchAndReconcile() {
        if (closed) {
            return;
        }
        // register before reading: a change applied after this line fires the next round
        WatchHub.Registration w = ctx.hub().register(WatchHub.Spec.key(WatchKeys.catalogNode(node)), () -> {
            try {
                scheduler.execute(this::watchAndReconcile);
            } catch (RejectedExecutionException e) {
                // closing
            }
        });
        watch = w;
        if (closed) {
            w.cancel();   // close() may have cancelled the previous registration just before
            return;
        }
        try {
            reconcile();
        } catch (RuntimeException e) {
            LOG.error("node {}: reconciling health checks failed", node, e);
        }
    }

    private synchronized void reconcile() {
        if (closed) {
            return;
        }
        List<HealthCheck> checks = ctx.state().catalog().nodeChecks(node);
        reaper.observe(checks);
        Map<String, HealthCheck> wanted = new HashMap<>();
        for (HealthCheck c : checks) {
            if (!c.definition().type().isEmpty()) {
                wanted.put(c.checkId(), c);
            }
        }
        runners.entrySet().removeIf(e -> {
            HealthCheck w = wanted.get(e.getKey());
            if (w != null && e.getValue().runs(w)) {
                return false;
            }
            e.getValue().stop();
            LOG.info("check {} (service {}) stopped: {}", e.getKey(), CheckReporter.service(e.getValue().check),
                    w == null ? "deregistered" : "definition changed");
            return true;
        });
        for (HealthCheck c : wanted.values()) {
            if (!runners.containsKey(c.checkId())) {
                CheckRunner r = runnerFor(c);
                runners.put(c.checkId(), r);
                r.start();
                LOG.info("check {} (service {}) started: {}", c.checkId(), CheckReporter.service(c), describe(c.definition()));
            }
        }
    }

    private void reap() {
        try {
            reaper.reap(ctx.state().catalog().nodeChecks(node));
        } catch (RuntimeException e) {
            LOG.error("node {}: reaping critical services failed", node, e);
        }
    }

    private CheckRunner runnerFor(HealthCheck c) {
        CheckDefinition d = c.definition();
        try {
            if (d.type().equals("ttl")) {
                return new TtlRunner(c, reporter, GoDuration.parse(d.ttl()), scheduler, ticker);
            }
            Probe probe = switch (d.type()) {
                case "http" -> new HttpProbe(d.tlsSkipVerify() ? insecureHttp() : http(), scheduler, d.http(),
                        d.method(), d.header(), d.body(), timeout(d, DEFAULT_TIMEOUT));
                case "tcp" -> new TcpProbe(tcp(), scheduler, d.tcp(), timeout(d, DEFAULT_TIMEOUT));
                case "script" -> new ScriptProbe(scripts, scheduler, d.args(), timeout(d, DEFAULT_SCRIPT_TIMEOUT));
                default -> throw new IllegalArgumentException("unknown check type \"" + d.type() + "\"");
            };
            return new IntervalRunner(c, reporter, probe, GoDuration.parse(d.interval()), scheduler);
        } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
            LOG.warn("check {} (service {}) cannot run: {}", c.checkId(), CheckReporter.service(c), e.getMessage());
            return CheckRunner.broken(c, reporter, "Cannot run check: " + CheckResult.describe(e));
        }
    }

    private static Duration timeout(CheckDefinition d, Duration dflt) {
        if (d.timeout().isEmpty()) {
            return dflt;
        }
        Duration t = GoDuration.parse(d.timeout());
        return t.isZero() || t.isNegative() ? dflt : t;
    }

    private static String describe(CheckDefinition d) {
        return switch (d.type()) {
            case "ttl" -> "TTL " + d.ttl();
            case "http" -> "HTTP " + (d.method().isEmpty() ? "GET" : d.method()) + " " + d.http() + " every " + d.interval();
            case "tcp" -> "TCP " + d.tcp() + " every " + d.interval();
            default -> "script " + d.args().get(0) + " every " + d.interval();
        };
    }

    private HttpClient http() {
        if (http == null) {
            http = httpClient().build();
        }
        return http;
    }

    /**
     * For TLSSkipVerify: trusts any certificate. Being an X509ExtendedTrustManager, it also takes
     * over (and so skips) the host name check, which the JDK leaves to such trust managers.
     */
    private HttpClient insecureHttp() throws GeneralSecurityException {
        if (insecureHttp == null) {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new TrustAll()}, null);
            insecureHttp = httpClient().sslContext(tls).build();
        }
        return insecureHttp;
    }

    private HttpClient.Builder httpClient() {
        return HttpClient.newBuilder()
                .connectTimeout(DEFAULT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .version(HttpClient.Version.HTTP_1_1)
                .executor(scheduler);
    }

    private AsynchronousChannelGroup tcp() throws IOException {
        if (tcp == null) {
            tcp = AsynchronousChannelGroup.withFixedThreadPool(1, daemon("cairn-check-tcp"));
        }
        return tcp;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            runners.values().forEach(CheckRunner::stop);
            runners.clear();
        }
        WatchHub.Registration w = watch;
        if (w != null) {
            w.cancel();
        }
        scheduler.shutdownNow();
        scripts.shutdownNow();
        if (tcp != null) {
            try {
                tcp.shutdownNow();
            } catch (IOException e) {
                LOG.debug("TCP check group did not close: {}", e.toString());
            }
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

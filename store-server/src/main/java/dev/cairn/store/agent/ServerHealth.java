package dev.cairn.store.agent;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.HealthCheck;
import dev.cairn.store.http.ApiContext;
import dev.cairn.store.state.ClusterServer;
import dev.cairn.store.state.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The leader's view of the other servers, written to the catalog: a server the leader has not
 * heard from for {@link #SILENCE} gets its {@code serfHealth} check critical (Consul's leader does
 * the same when Serf reports a member failed), and passing again once it answers. So {@code cairn
 * members}, health queries and sessions tied to serfHealth see a dead server on every server.
 */
public final class ServerHealth implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerHealth.class);
    static final Duration SILENCE = Duration.ofSeconds(5);
    static final String FAILED_OUTPUT = "Agent not live or unreachable";
    static final String ALIVE_OUTPUT = "Agent alive and reachable";

    private final ApiContext ctx;
    private final Supplier<Map<String, Long>> followerSilenceMillis;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cairn-server-health");
        t.setDaemon(true);
        return t;
    });

    /** @param followerSilenceMillis on the leader, ms since each other server last answered, by id */
    public ServerHealth(ApiContext ctx, Supplier<Map<String, Long>> followerSilenceMillis) {
        this.ctx = ctx;
        this.followerSilenceMillis = followerSilenceMillis;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::checkSafely, 1, 1, TimeUnit.SECONDS);
    }

    private void checkSafely() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.debug("server health check skipped: {}", e.toString());
        }
    }

    /** One pass on the leader: writes only the checks whose status has to change. */
    void check() {
        if (!ctx.consensus().isLeader()) {
            return;
        }
        Map<String, Long> silence = followerSilenceMillis.get();
        for (ClusterServer server : ctx.consensus().servers()) {
            boolean alive = server.id().equals(ctx.nodeName())
                    || silence.getOrDefault(server.id(), Long.MAX_VALUE) < SILENCE.toMillis();
            HealthCheck serf = ctx.state().catalog().check(server.id(), SelfNode.SERF_HEALTH);
            if (serf == null) {
                continue; // not registered yet: it registers itself once it is in
            }
            String wanted = alive ? HealthCheck.PASSING : HealthCheck.CRITICAL;
            if (!serf.status().equals(wanted)) {
                LOG.info("server {} is {}", server.id(), alive ? "reachable again" : "not answering: marking it failed");
                ctx.consensus().submit(new Command.Catalog(new CatalogCommand.UpdateCheck(server.id(),
                        SelfNode.SERF_HEALTH, wanted, alive ? ALIVE_OUTPUT : FAILED_OUTPUT)));
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

package dev.cairn.store.health;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.HealthCheck;
import dev.cairn.store.http.GoDuration;
import dev.cairn.store.state.Command;
import dev.cairn.store.state.Consensus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * {@code DeregisterCriticalServiceAfter}: deregisters a service of this node whose check has been
 * critical, without a break, for longer than the check asks, as Consul's agent reaper does. As in
 * Consul the timeout has a floor (1 minute by default) and the reaper runs every 30 seconds.
 *
 * <p>"Critical since" is what this server saw: {@link #observe} runs on every change to the
 * node's checks (and before each reap), and a check seen passing or warning loses its clock.
 * Observations follow every applied change to the node, so only a critical-passing-critical
 * flicker within the few milliseconds between two of them could go unseen (keeping the older
 * start time).
 */
final class CriticalReaper {

    private static final Logger LOG = LoggerFactory.getLogger(CriticalReaper.class);

    private final String node;
    private final Consensus consensus;
    private final LongSupplier ticker;
    private final Duration minimum;
    /** check id -> ticker value when first seen critical */
    private final Map<String, Long> criticalSince = new HashMap<>();

    CriticalReaper(String node, Consensus consensus, LongSupplier ticker, Duration minimum) {
        this.node = node;
        this.consensus = consensus;
        this.ticker = ticker;
        this.minimum = minimum;
    }

    /** Notes which of the node's checks are critical now. */
    synchronized void observe(List<HealthCheck> checks) {
        long now = ticker.getAsLong();
        Set<String> critical = new HashSet<>();
        for (HealthCheck c : checks) {
            if (HealthCheck.CRITICAL.equals(c.status())) {
                critical.add(c.checkId());
                criticalSince.putIfAbsent(c.checkId(), now);
            }
        }
        criticalSince.keySet().retainAll(critical);
    }

    /** Proposes the deregistration of every service with a check critical for too long. */
    synchronized void reap(List<HealthCheck> checks) {
        observe(checks);
        long now = ticker.getAsLong();
        Set<String> reaped = new HashSet<>();
        for (HealthCheck c : checks) {
            String after = c.definition().deregisterCriticalServiceAfter();
            Long since = criticalSince.get(c.checkId());
            if (c.serviceId().isEmpty() || after.isEmpty() || since == null || reaped.contains(c.serviceId())) {
                continue;
            }
            Duration timeout;
            try {
                timeout = GoDuration.parse(after);
            } catch (IllegalArgumentException e) {
                continue;   // validated at registration; an unreadable value never reaps
            }
            if (timeout.compareTo(Duration.ZERO) <= 0) {
                continue;
            }
            if (timeout.compareTo(minimum) < 0) {
                timeout = minimum;
            }
            if (now - since > timeout.toNanos()) {
                reaped.add(c.serviceId());
                deregister(c, timeout);
            }
        }
    }

    private void deregister(HealthCheck c, Duration timeout) {
        LOG.info("service {} (id {}) deregistered: check {} critical for more than {}", c.serviceName(),
                c.serviceId(), c.checkId(), GoDuration.format(timeout));
        CatalogCommand cmd = new CatalogCommand.Deregister(node, c.serviceId(), "");
        try {
            consensus.submit(new Command.Catalog(cmd)).whenComplete((r, e) -> {
                if (e != null) {
                    LOG.warn("service {} (id {}): deregistering failed, retrying at the next reap: {}",
                            c.serviceName(), c.serviceId(), CheckResult.describe(e));
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("service {} (id {}): deregistering failed: {}", c.serviceName(), c.serviceId(),
                    CheckResult.describe(e));
        }
    }
}

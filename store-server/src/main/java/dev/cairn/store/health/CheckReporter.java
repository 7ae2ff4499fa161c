package dev.cairn.store.health;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.HealthCheck;
import dev.cairn.store.state.Command;
import dev.cairn.store.state.Consensus;
import dev.cairn.store.state.StoreState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Writes check results through Raft, but only a change: a result equal to the replicated status
 * and output is dropped here, so a healthy check costs no Raft entry however often it runs.
 */
final class CheckReporter {

    private static final Logger LOG = LoggerFactory.getLogger(CheckReporter.class);

    private final StoreState state;
    private final Consensus consensus;
    private final String node;

    CheckReporter(StoreState state, Consensus consensus, String node) {
        this.state = state;
        this.consensus = consensus;
        this.node = node;
    }

    /**
     * Proposes {@code result} for the check if it differs from the current state and
     * {@code stillValid} holds just before proposing; completes once applied (or failed, which is
     * only logged: the next run compares again and retries).
     */
    CompletableFuture<Void> report(String checkId, CheckResult result, BooleanSupplier stillValid) {
        HealthCheck current = state.catalog().check(node, checkId);
        if (current == null || !stillValid.getAsBoolean()
                || current.status().equals(result.status()) && current.output().equals(result.output())) {
            return CompletableFuture.completedFuture(null);
        }
        boolean statusChanged = !current.status().equals(result.status());
        CatalogCommand update = new CatalogCommand.UpdateCheck(node, checkId, result.status(), result.output());
        CompletableFuture<Object> applied;
        try {
            applied = consensus.submit(new Command.Catalog(update));
        } catch (RuntimeException e) {
            applied = CompletableFuture.failedFuture(e);
        }
        return applied.handle((r, error) -> {
            if (error != null) {
                LOG.warn("check {} (service {}): writing status {} failed: {}", checkId, service(current),
                        result.status(), CheckResult.describe(error));
            } else if (r instanceof CatalogCommand.Result res && !res.ok()) {
                LOG.debug("check {}: update refused: {}", checkId, res.error());
            } else if (statusChanged) {
                LOG.info("check {} (service {}) is now {}: {}", checkId, service(current), result.status(),
                        oneLine(result.output()));
            }
            return null;
        });
    }

    static String service(HealthCheck c) {
        return c.serviceId().isEmpty() ? "-" : c.serviceName();
    }

    private static String oneLine(String output) {
        String s = output.replaceAll("\\s+", " ").trim();
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}

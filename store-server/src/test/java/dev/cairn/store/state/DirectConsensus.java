package dev.cairn.store.state;

import dev.cairn.store.catalog.CatalogCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A stub Raft for tests: applies each proposal at once, one at a time, at increasing indexes,
 * and records the catalog commands proposed. Leadership is set by the test.
 */
public final class DirectConsensus implements Consensus {

    private final StoreState state;
    private final List<CatalogCommand> proposed = new ArrayList<>();
    private long index = 1;
    private volatile boolean leader = true;

    public DirectConsensus(StoreState state) {
        this.state = state;
    }

    public void leader(boolean leader) {
        this.leader = leader;
    }

    @Override
    public synchronized CompletableFuture<Object> submit(Command command) {
        if (command instanceof Command.Catalog c) {
            proposed.add(c.command());
        }
        return CompletableFuture.completedFuture(state.apply(List.of(command), ++index).get(0));
    }

    /** The UpdateCheck commands proposed for one check, in order. */
    public synchronized List<CatalogCommand.UpdateCheck> updates(String checkId) {
        return proposed.stream()
                .filter(c -> c instanceof CatalogCommand.UpdateCheck u && u.checkId().equals(checkId))
                .map(c -> (CatalogCommand.UpdateCheck) c)
                .toList();
    }

    public synchronized List<CatalogCommand> proposed() {
        return List.copyOf(proposed);
    }

    @Override
    public CompletableFuture<Void> readBarrier() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean knownLeader() {
        return true;
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public long lastContactMillis() {
        return 0;
    }

    @Override
    public Optional<String> leaderAddress() {
        return Optional.empty();
    }

    @Override
    public CompletableFuture<Boolean> renewOnLeader(String sessionId) {
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public List<ClusterServer> servers() {
        return List.of();
    }
}

package dev.cairn.store.health;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.state.Command;
import dev.cairn.store.state.Consensus;
import dev.cairn.store.state.StoreState;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A stub Raft: applies each proposal at once, one at a time, and records it. */
final class RecordingConsensus implements Consensus {

    private final StoreState state;
    private final List<CatalogCommand> proposed = new ArrayList<>();
    private long index = 1;

    RecordingConsensus(StoreState state) {
        this.state = state;
    }

    @Override
    public synchronized CompletableFuture<Object> submit(Command command) {
        if (command instanceof Command.Catalog c) {
            proposed.add(c.command());
        }
        return CompletableFuture.completedFuture(state.apply(List.of(command), ++index).get(0));
    }

    /** The UpdateCheck commands proposed for one check, in order. */
    synchronized List<CatalogCommand.UpdateCheck> updates(String checkId) {
        return proposed.stream()
                .filter(c -> c instanceof CatalogCommand.UpdateCheck u && u.checkId().equals(checkId))
                .map(c -> (CatalogCommand.UpdateCheck) c)
                .toList();
    }

    synchronized List<CatalogCommand> proposed() {
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
        return true;
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
    public List<String> peerAddresses() {
        return List.of();
    }
}

package dev.cairn.store.raft;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Linearizable reads share ReadIndex rounds, as writes share Raft entries: on a follower each
 * round is a trip to the leader, and one per read capped a follower near 1,500 reads/s
 * (BENCHMARKS.md, cluster). A read may use a round only if the round started after the read
 * arrived (else a write acknowledged just before the read could be missed): so while one round is
 * in flight, arriving reads wait together for the next one, which starts as soon as it returns.
 *
 * <p>Rounds are started on {@code launcher}, never on the thread that completed the previous one:
 * that is a Ratis thread, and starting a request there blocks on a task queued behind itself.
 */
final class SharedReads {

    private final Supplier<CompletableFuture<Void>> round;
    private final Executor launcher;
    private CompletableFuture<Void> inFlight;
    private CompletableFuture<Void> next;

    /** @param round asks for one read index and completes once local state has applied up to it */
    SharedReads(Supplier<CompletableFuture<Void>> round, Executor launcher) {
        this.round = round;
        this.launcher = launcher;
    }

    /** Completes once local state reflects every write acknowledged before this call. */
    CompletableFuture<Void> barrier() {
        CompletableFuture<Void> start;
        synchronized (this) {
            if (inFlight != null) {
                if (next == null) {
                    next = new CompletableFuture<>();
                }
                return next;
            }
            start = inFlight = new CompletableFuture<>();
        }
        launch(start);
        return start;
    }

    private void launch(CompletableFuture<Void> target) {
        CompletableFuture<Void> asked;
        try {
            asked = round.get();
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        asked.whenCompleteAsync((ok, error) -> {
            CompletableFuture<Void> following;
            synchronized (this) {
                following = next;
                next = null;
                inFlight = following;
            }
            // the waiting reads' round goes out before this one's readers are answered
            if (following != null) {
                launch(following);
            }
            if (error != null) {
                target.completeExceptionally(error);
            } else {
                target.complete(null);
            }
        }, launcher);
    }
}

package dev.cairn.store.raft;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class SharedReadsTest {

    /** Rounds the test completes by hand, in the order they were asked. */
    private final List<CompletableFuture<Void>> rounds = new ArrayList<>();
    private final SharedReads reads = new SharedReads(() -> {
        CompletableFuture<Void> r = new CompletableFuture<>();
        rounds.add(r);
        return r;
    }, Runnable::run);

    @Test
    void aReadAloneAsksItsOwnRound() {
        CompletableFuture<Void> read = reads.barrier();
        assertThat(rounds).hasSize(1);
        assertThat(read).isNotDone();
        rounds.get(0).complete(null);
        assertThat(read).isCompleted();
    }

    @Test
    void readsArrivingDuringARoundShareTheNextOneNeverTheOneInFlight() {
        CompletableFuture<Void> first = reads.barrier();
        CompletableFuture<Void> second = reads.barrier();
        CompletableFuture<Void> third = reads.barrier();
        assertThat(rounds).as("one round in flight; the later reads wait").hasSize(1);

        rounds.get(0).complete(null);
        assertThat(first).isCompleted();
        assertThat(second).as("started before the read arrived: cannot vouch for it").isNotDone();
        assertThat(third).isNotDone();
        assertThat(rounds).as("the waiting reads' round goes out at once").hasSize(2);

        rounds.get(1).complete(null);
        assertThat(second).isCompleted();
        assertThat(third).isCompleted();

        CompletableFuture<Void> later = reads.barrier();
        assertThat(rounds).as("idle again: a new read starts a round").hasSize(3);
        rounds.get(2).complete(null);
        assertThat(later).isCompleted();
    }

    @Test
    void aFailedRoundFailsItsReadsAndTheNextRoundStillRuns() {
        CompletableFuture<Void> first = reads.barrier();
        CompletableFuture<Void> second = reads.barrier();
        rounds.get(0).completeExceptionally(new NoLeaderException("no leader"));
        assertThat(first).isCompletedExceptionally();
        assertThat(second).isNotDone();
        rounds.get(1).complete(null);
        assertThat(second).isCompleted();
    }

    @Test
    void aRoundThatThrowsFailsOnlyItsReads() {
        SharedReads throwing = new SharedReads(() -> {
            throw new NoLeaderException("not formed");
        }, Runnable::run);
        assertThat(throwing.barrier()).isCompletedExceptionally();
        assertThat(throwing.barrier()).as("nothing left in flight").isCompletedExceptionally();
    }
}

package dev.cairn.store.raft;

import dev.cairn.store.state.Command;
import dev.cairn.store.state.CommandCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class GroupCommitterTest {

    private record Proposal(List<byte[]> commands, CompletableFuture<List<GroupCommitter.Outcome>> outcomes) {
    }

    /** Batches the committer proposed, which the test answers by hand. */
    private final List<Proposal> proposals = new ArrayList<>();
    private final GroupCommitter committer = new GroupCommitter(commands -> {
        Proposal p = new Proposal(commands, new CompletableFuture<>());
        proposals.add(p);
        return p.outcomes;
    });

    private static Command command(String name) {
        return new Command.RestoreAbort(name);
    }

    @Test
    void aLoneWriteLeavesAtOnce() {
        CompletableFuture<Object> write = committer.submit(command("a"));
        assertThat(proposals).hasSize(1);
        assertThat(proposals.get(0).commands()).containsExactly(CommandCodec.encodeCommand(command("a")));
        proposals.get(0).outcomes().complete(List.of(GroupCommitter.Outcome.ok("done")));
        assertThat(write).isCompletedWithValue("done");
    }

    @Test
    void writesArrivingWhileAnEntryIsInFlightLeaveTogetherInTheNext() {
        CompletableFuture<Object> first = committer.submit(command("a"));
        CompletableFuture<Object> second = committer.submit(command("b"));
        CompletableFuture<Object> third = committer.submit(command("c"));
        assertThat(proposals).as("one entry in flight").hasSize(1);

        proposals.get(0).outcomes().complete(List.of(GroupCommitter.Outcome.ok(1)));
        assertThat(first).isCompletedWithValue(1);
        assertThat(proposals).hasSize(2);
        assertThat(proposals.get(1).commands()).hasSize(2);
        assertThat(second).isNotDone();

        proposals.get(1).outcomes().complete(List.of(GroupCommitter.Outcome.ok(2), GroupCommitter.Outcome.ok(3)));
        assertThat(second).isCompletedWithValue(2);
        assertThat(third).isCompletedWithValue(3);
    }

    @Test
    void eachCommandOfAForwardedBatchGetsItsOwnOutcome() {
        committer.submit(command("a"));
        CompletableFuture<Object> ok = committer.submit(command("b"));
        CompletableFuture<Object> failed = committer.submit(command("c"));
        proposals.get(0).outcomes().complete(List.of(GroupCommitter.Outcome.ok(1)));

        proposals.get(1).outcomes().complete(List.of(GroupCommitter.Outcome.ok(2),
                GroupCommitter.Outcome.failed("no leader answered within 10 s")));
        assertThat(ok).isCompletedWithValue(2);
        assertThat(failed).failsWithin(java.time.Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(NoLeaderException.class).withMessageContaining("no leader answered within 10 s");
    }

    @Test
    void aFailedProposalFailsItsWritesAndTheQueueMovesOn() {
        CompletableFuture<Object> first = committer.submit(command("a"));
        CompletableFuture<Object> second = committer.submit(command("b"));
        proposals.get(0).outcomes().completeExceptionally(new IllegalStateException("connection reset"));
        assertThat(first).failsWithin(java.time.Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(NoLeaderException.class).withMessageContaining("write not committed: connection reset");

        assertThat(proposals).as("the next entry still goes").hasSize(2);
        proposals.get(1).outcomes().complete(List.of(GroupCommitter.Outcome.ok(2)));
        assertThat(second).isCompletedWithValue(2);
    }

    @Test
    void aWrongNumberOfOutcomesFailsTheWholeBatch() {
        CompletableFuture<Object> write = committer.submit(command("a"));
        proposals.get(0).outcomes().complete(List.of());
        assertThat(write).isCompletedExceptionally();
    }
}

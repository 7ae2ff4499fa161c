package dev.cairn.store.raft;

import dev.cairn.store.state.Command;
import dev.cairn.store.state.CommandCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class GroupCommitterTest {

    private record Proposal(List<byte[]> commands, CompletableFuture<List<GroupCommitter.Outcome>> outcomes) {
    }

    /** Batches the committer proposed, which the test answers by hand. */
    private final List<Proposal> proposals = Collections.synchronizedList(new ArrayList<>());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    /** Lingers for an hour: a batch that leaves did so because its writers came back. */
    private GroupCommitter committer = committer(Duration.ofHours(1));

    private GroupCommitter committer(Duration linger) {
        return new GroupCommitter(commands -> {
            Proposal p = new Proposal(commands, new CompletableFuture<>());
            proposals.add(p);
            return p.outcomes;
        }, linger, timer);
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    /** Commits proposal i, each of its commands with result "ok". */
    private void commit(int i) {
        Proposal p = proposals.get(i);
        p.outcomes().complete(Collections.nCopies(p.commands().size(), GroupCommitter.Outcome.ok("ok")));
    }

    /** Submits {@code writes} commands named {@code name0}, {@code name1}, ... */
    private void submit(int writes, String name) {
        IntStream.range(0, writes).forEach(i -> committer.submit(command(name + i)));
    }

    /**
     * With nothing in flight and no linger: a lone write leaves and is committed, then a batch of
     * {@code writers} writes (which waited for it) leaves and is committed.
     */
    private void commitABatchOf(int writers) {
        int first = proposals.size();
        committer.submit(command("first"));
        submit(writers, "w");
        commit(first);
        assertThat(proposals).hasSize(first + 2);
        assertThat(proposals.get(first + 1).commands()).hasSize(writers);
        commit(first + 1);
    }

    /** Waits for the linger of {@code committer(Duration.ofMillis(50))} to end. */
    private void lingerEnds() throws Exception {
        Thread.sleep(100);
        timer.submit(() -> { }).get(5, TimeUnit.SECONDS); // the linger's end, due earlier, ran first
    }

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

    /** The smallest batch after which the next one lingers. */
    private static final int N = GroupCommitter.MIN_LINGER_BATCH;

    @Test
    void afterABatchOfSeveralTheNextLeavesWhenAsManyWritersAreBack() {
        commitABatchOf(N);
        submit(N - 1, "back");
        assertThat(proposals).as("all but one of the writers are back").hasSize(2);
        committer.submit(command("last"));
        assertThat(proposals).hasSize(3);
        assertThat(proposals.get(2).commands()).hasSize(N);
    }

    @Test
    void writersWhoWereWaitingAlreadyCountToo() {
        committer.submit(command("first"));
        submit(N, "w");
        commit(0);
        committer.submit(command("waiting"));
        commit(1);
        assertThat(proposals).as("the batch of N was committed: N + 1 awaited").hasSize(2);
        submit(N - 1, "again");
        assertThat(proposals).hasSize(2);
        committer.submit(command("last"));
        assertThat(proposals).hasSize(3);
        assertThat(proposals.get(2).commands()).hasSize(N + 1)
                .startsWith(CommandCodec.encodeCommand(command("waiting")));
    }

    @Test
    void aBatchSmallerThanTheLeastForLingeringDoesNotLinger() {
        commitABatchOf(N - 1);
        committer.submit(command("at once"));
        assertThat(proposals).hasSize(3);
    }

    @Test
    void aBatchWhoseWritersDoNotComeBackLeavesAfterTheLingerTime() throws Exception {
        committer = committer(Duration.ofMillis(50));
        commitABatchOf(N);
        CompletableFuture<Object> write = committer.submit(command("x"));
        assertThat(proposals).as("lingering").hasSize(2);

        lingerEnds();
        assertThat(proposals).hasSize(3);
        assertThat(proposals.get(2).commands()).hasSize(1);
        commit(2);
        assertThat(write).isCompletedWithValue("ok");
    }

    @Test
    void whenTheLingerTimeIsUpWithNobodyWaitingTheNextWriteLeavesAtOnce() throws Exception {
        committer = committer(Duration.ofMillis(50));
        commitABatchOf(N);
        lingerEnds();
        committer.submit(command("late"));
        assertThat(proposals).hasSize(3);
    }

    @Test
    void aLoneWriterNeverLingers() {
        for (int i = 0; i < 3; i++) {
            committer.submit(command("w" + i));
            assertThat(proposals).hasSize(i + 1);
            commit(i);
        }
    }

    @Test
    void closingFailsTheWritesThatWereLingering() {
        commitABatchOf(N);
        CompletableFuture<Object> write = committer.submit(command("x"));
        committer.close();
        assertThat(write).failsWithin(java.time.Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(NoLeaderException.class).withMessageContaining("shutting down");
    }

    @Test
    void lingersThatDoNotWorkTurnLingeringOffForOneBatchThenTwoThenFour() throws Exception {
        committer = committer(Duration.ofMillis(50));
        commitABatchOf(N);
        lingerEnds(); // nobody came back: the next batch does not linger
        commitABatchOf(N);
        int before = proposals.size();
        committer.submit(command("at once"));
        assertThat(proposals).as("no linger after the skipped batch").hasSize(before + 1);
        commit(before);

        commitABatchOf(N); // this one lingers again, and in vain: the next two do not
        lingerEnds();
        for (int i = 0; i < 2; i++) {
            commitABatchOf(N);
        }
        before = proposals.size();
        committer.submit(command("w"));
        assertThat(proposals).as("no linger after the second skipped batch").hasSize(before + 1);
        commit(before);

        commitABatchOf(N);
        committer.submit(command("lingering"));
        assertThat(proposals).as("lingering again").hasSize(before + 3);
    }

    @Test
    void aLingerThatWorksKeepsLingeringOn() throws Exception {
        committer = committer(Duration.ofMillis(50));
        commitABatchOf(N);
        lingerEnds(); // in vain: the next batch does not linger, the one after does
        commitABatchOf(N);
        commitABatchOf(N);
        int before = proposals.size();
        submit(N, "back");
        assertThat(proposals).as("the linger worked").hasSize(before + 1);
        commit(before);
        committer.submit(command("c"));
        assertThat(proposals).as("and the next batch lingers too").hasSize(before + 1);

        lingerEnds(); // in vain again (1 of N back), but after one that worked: only one batch skips it
        commit(before + 1);
        commitABatchOf(N);
        commitABatchOf(N);
        committer.submit(command("e"));
        assertThat(proposals).as("lingering after one skipped batch").hasSize(before + 6);
    }
}

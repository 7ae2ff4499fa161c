package dev.cairn.store.raft;

import dev.cairn.store.catalog.CatalogCommand;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class ForwardedBatchTest {

    @Test
    void theLeadersAnswerCarriesEachCommandsResultOrFailureInOrder() throws Exception {
        byte[] answer = ForwardedBatch.done(List.of(
                CompletableFuture.completedFuture(new CatalogCommand.Result(true, "")),
                CompletableFuture.failedFuture(new NoLeaderException("write not committed: leader stepped down")),
                CompletableFuture.completedFuture(new CatalogCommand.Result(false, "Unknown check 'x'"))));

        List<GroupCommitter.Outcome> outcomes = ForwardedBatch.decode(answer);

        assertThat(outcomes).containsExactly(
                GroupCommitter.Outcome.ok(new CatalogCommand.Result(true, "")),
                GroupCommitter.Outcome.failed("write not committed: leader stepped down"),
                GroupCommitter.Outcome.ok(new CatalogCommand.Result(false, "Unknown check 'x'")));
    }

    @Test
    void notTheLeaderMeansNothingWasSubmitted() throws Exception {
        assertThat(ForwardedBatch.decode(ForwardedBatch.notLeader())).isNull();
    }
}

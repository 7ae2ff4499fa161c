package dev.cairn.store.raft;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.state.ForwardedResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ForwardedBatchTest {

    @Test
    void theLeadersAnswerCarriesEachCommandsResultInOrder() throws Exception {
        ForwardedResult result = ForwardedResult.applied(List.of(
                new CatalogCommand.Result(true, ""),
                ForwardedResult.refused("too old"),
                new CatalogCommand.Result(false, "Unknown check 'x'")));

        assertThat(ForwardedBatch.decode(ForwardedBatch.done(result))).isEqualTo(result);
    }

    @Test
    void notTheLeaderOrNotCommittedMeansProposeItAgain() throws Exception {
        assertThat(ForwardedBatch.decode(ForwardedBatch.notLeader())).isNull();
        assertThat(ForwardedBatch.decode(ForwardedBatch.failed(
                new NoLeaderException("write not committed: leader stepped down")))).isNull();
    }
}

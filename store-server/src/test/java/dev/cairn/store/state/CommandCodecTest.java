package dev.cairn.store.state;

import dev.cairn.store.kv.KvOp;
import dev.cairn.store.kv.TxnResult;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandCodecTest {

    @Test
    void aBatchRoundTripsAndAppliesInOrderWithOneSharedIndex() throws Exception {
        Command first = new Command.KvTxn(List.of(KvOp.set("k", "1".getBytes(StandardCharsets.UTF_8), 5)));
        Command second = new Command.KvTxn(List.of(KvOp.cas("k", "2".getBytes(StandardCharsets.UTF_8), 0, 0)));
        byte[] entry = CommandCodec.encodeBatch(List.of(CommandCodec.encodeCommand(first), CommandCodec.encodeCommand(second)));

        StoreState state = new StoreState();
        List<Object> results = state.apply(CommandCodec.decodeBatch(entry), 42);
        List<Object> decoded = CommandCodec.decodeResults(CommandCodec.encodeResults(results));

        assertThat(decoded).hasSize(2);
        assertThat(((TxnResult) decoded.get(0)).committed()).isTrue();
        assertThat(((TxnResult) decoded.get(1)).committed()).as("cas=0 on a key the first write created").isFalse();
        assertThat(state.kv().get("k").entries().get(0).modifyIndex()).isEqualTo(42);
        assertThat(state.lastIndex()).isEqualTo(42);
    }

    @Test
    void aCorruptEntryIsRejectedNotMisapplied() {
        assertThatThrownBy(() -> CommandCodec.decodeBatch(new byte[] {0, 0, 0, 1, 99}))
                .hasMessageContaining("unknown command type 99");
    }

    @Test
    void sessionCommandsAndResultsRoundTrip() throws Exception {
        dev.cairn.store.session.Session s = new dev.cairn.store.session.Session("id-1", "n", "node", 15_000_000_000L,
                "delete", "30s", List.of("serfHealth"),
                List.of(new dev.cairn.store.session.Session.ServiceCheck("service:web", "")), 0, 0);
        Command create = new Command.Session(new dev.cairn.store.session.SessionCommand.Create(s));
        Command destroy = new Command.Session(new dev.cairn.store.session.SessionCommand.Destroy("id-1"));

        List<Command> decoded = CommandCodec.decodeBatch(CommandCodec.encodeBatch(
                List.of(CommandCodec.encodeCommand(create), CommandCodec.encodeCommand(destroy))));
        List<Object> results = CommandCodec.decodeResults(CommandCodec.encodeResults(List.of(
                dev.cairn.store.session.SessionCommand.Result.refused("Missing node registration"))));

        assertThat(decoded).containsExactly(create, destroy);
        assertThat(results).containsExactly(
                dev.cairn.store.session.SessionCommand.Result.refused("Missing node registration"));
    }
}

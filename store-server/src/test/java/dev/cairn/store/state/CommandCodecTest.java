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
}

package dev.cairn.store.kv;

import dev.cairn.store.http.ApiException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TxnParseTest {

    private static List<KvOp> parse(String json) {
        return TxnHandler.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void fieldNamesMatchCaseInsensitivelyAsInConsul() {
        List<KvOp> ops = parse("[{\"kv\":{\"verb\":\"CAS\",\"key\":\"a\",\"value\":\"aGk=\",\"flags\":3,\"index\":9}}]");

        assertThat(ops).singleElement().satisfies(op -> {
            assertThat(op.verb()).isEqualTo(KvOp.Verb.CAS);
            assertThat(new String(op.value(), StandardCharsets.UTF_8)).isEqualTo("hi");
            assertThat(op.flags()).isEqualTo(3);
            assertThat(op.index()).isEqualTo(9);
        });
    }

    @Test
    void flagsCoverTheWholeUint64RangeLikeAPlainPut() {
        List<KvOp> ops = parse("[{\"KV\":{\"Verb\":\"set\",\"Key\":\"a\",\"Flags\":18446744073709551615}}]");

        assertThat(Long.toUnsignedString(ops.get(0).flags())).isEqualTo("18446744073709551615");
        assertThatThrownBy(() -> parse("[{\"KV\":{\"Verb\":\"set\",\"Key\":\"a\",\"Flags\":18446744073709551616}}]"))
                .hasMessageContaining("Flags must be an unsigned integer");
    }

    @Test
    void badInputIsA400NamingTheProblem() {
        assertThatThrownBy(() -> parse("[{\"KV\":")).isInstanceOf(ApiException.class)
                .hasMessageStartingWith("Failed to parse body");
        assertThatThrownBy(() -> parse("{}")).hasMessageContaining("expected a JSON array");
        assertThatThrownBy(() -> parse("[{\"KV\":{\"Verb\":\"frob\",\"Key\":\"a\"}}]"))
                .hasMessage("Operation 0: unknown KV verb \"frob\"");
        assertThatThrownBy(() -> parse("[{\"KV\":{\"Verb\":\"set\",\"Key\":\"a\",\"Value\":\"***\"}}]"))
                .hasMessage("Operation 0: Value is not valid base64");
        assertThatThrownBy(() -> parse("[{\"Node\":{\"Verb\":\"set\"}}]"))
                .hasMessageContaining("only KV operations are supported, got Node");
        assertThatThrownBy(() -> parse("[{\"KV\":{\"Verb\":\"set\",\"Key\":\"a\",\"Index\":-1}}]"))
                .hasMessageContaining("Index must be an unsigned integer");
    }

    @Test
    void moreThan128OperationsIsA413() {
        String op = "{\"KV\":{\"Verb\":\"get\",\"Key\":\"a\"}}";
        String json = "[" + String.join(",", java.util.Collections.nCopies(129, op)) + "]";

        assertThatThrownBy(() -> parse(json)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(413));
    }
}

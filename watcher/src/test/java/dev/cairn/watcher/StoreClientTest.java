package dev.cairn.watcher;

import dev.cairn.template.KvEntry;
import dev.cairn.template.Query;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How answers become data or errors, and Consul's blocking-index rules for clients. */
class StoreClientTest {

    private final StoreClient client = new StoreClient(URI.create("http://127.0.0.1:8500/"), null);

    private static StoreRequest request(String query) {
        return StoreRequest.of(Query.parse(query));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aKv404IsNoEntriesAtTheIndexItCameWith() {
        assertThat(client.answer(request("key:missing"), 404, new byte[0], "17"))
                .isEqualTo(new QueryResult(List.of(), 17));
        assertThat(client.answer(request("tree:missing"), 404, new byte[0], "18"))
                .isEqualTo(new QueryResult(List.of(), 18));
    }

    @Test
    void a200IsDecodedWithItsIndex() {
        QueryResult r = client.answer(request("key:a"), 200,
                utf8("[{\"Key\":\"a\",\"Value\":\"eA==\",\"Flags\":0,\"CreateIndex\":2,\"ModifyIndex\":3}]"), "3");
        assertThat(r).isEqualTo(new QueryResult(List.of(new KvEntry("a", "x", 0, 2, 3)), 3));
    }

    @Test
    void errorsNameTheServerTheRequestAndTheMessage() {
        assertThatThrownBy(() -> client.answer(request("service:web?dc=dc9"), 400,
                utf8("No path to datacenter \"dc9\"\n"), "1"))
                .isInstanceOf(StoreException.class)
                .hasMessage("http://127.0.0.1:8500 answered 400 to /v1/health/service/web?passing=1&dc=dc9: "
                        + "No path to datacenter \"dc9\"")
                .satisfies(e -> assertThat(((StoreException) e).retryable()).isFalse());
        assertThatThrownBy(() -> client.answer(request("node:n1"), 404, new byte[0], "1"))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> client.answer(request("nodes:*"), 500, utf8("boom"), null))
                .satisfies(e -> assertThat(((StoreException) e).retryable()).isTrue());
        assertThatThrownBy(() -> client.answer(request("nodes:*"), 200, utf8("{\"not\":\"a list\"}"), "4"))
                .isInstanceOf(StoreException.class).hasMessageContaining("not Consul's JSON");
    }

    @Test
    void aMissingOrBrokenIndexHeaderIsZero() {
        assertThat(StoreClient.parseIndex(null)).isZero();
        assertThat(StoreClient.parseIndex("x")).isZero();
        assertThat(StoreClient.parseIndex("18446744073709551615")).isEqualTo(-1L); // uint64 max, bits kept
    }

    @Test
    void theNextIndexResetsWhenItGoesBackwardsAndIsNeverBelowOne() {
        assertThat(StoreClient.nextIndex(0, 12)).isEqualTo(12);
        assertThat(StoreClient.nextIndex(12, 12)).isEqualTo(12);
        assertThat(StoreClient.nextIndex(12, 15)).isEqualTo(15);
        assertThat(StoreClient.nextIndex(12, 3)).as("went backwards: fetch afresh").isZero();
        assertThat(StoreClient.nextIndex(0, 0)).as("a server answering 0 must not make us spin").isEqualTo(1);
    }

    @Test
    void anUnreachableServerIsARetryableStoreException() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        StoreClient nowhere = new StoreClient(URI.create("http://127.0.0.1:" + port), "secret");
        assertThatThrownBy(() -> nowhere.fetch(Query.parse("key:a")).join())
                .hasCauseInstanceOf(StoreException.class)
                .cause()
                .hasMessage("cannot reach http://127.0.0.1:" + port + " for /v1/kv/a: connection refused")
                .satisfies(e -> assertThat(((StoreException) e).retryable()).isTrue());
    }
}

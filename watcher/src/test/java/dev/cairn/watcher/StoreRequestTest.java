package dev.cairn.watcher;

import dev.cairn.template.Query;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each store query kind's HTTP request (CONSUL-API.md §3, §6, §7). */
class StoreRequestTest {

    private static String request(String query) {
        return StoreRequest.of(Query.parse(query)).toString();
    }

    @Test
    void kvQueries() {
        assertThat(request("key:app/max")).isEqualTo("/v1/kv/app/max");
        assertThat(request("key:app/max?default=1&dc=dc2&stale=true")).isEqualTo("/v1/kv/app/max?dc=dc2&stale");
        assertThat(request("keyExists:app/max")).isEqualTo("/v1/kv/app/max");
        assertThat(request("tree:app/config")).isEqualTo("/v1/kv/app/config/?recurse");
        assertThat(request("ls:app/config/")).isEqualTo("/v1/kv/app/config/?recurse");
        assertThat(request("tree:/")).isEqualTo("/v1/kv/?recurse");
    }

    @Test
    void keysArePercentEncodedButKeepTheirSlashes() {
        assertThat(request("key:a b/c\u00e9&d")).isEqualTo("/v1/kv/a%20b/c%C3%A9%26d");
    }

    @Test
    void serviceQueriesAskTheHealthEndpointWithTagsAndPassingOnlyWhenOnlyPassingIsWanted() {
        assertThat(request("service:web")).isEqualTo("/v1/health/service/web?passing=1");
        assertThat(request("service:web?tag=prod&tag=eu&dc=dc1"))
                .isEqualTo("/v1/health/service/web?tag=eu&tag=prod&passing=1&dc=dc1");
        assertThat(request("service:web?state=any")).isEqualTo("/v1/health/service/web");
        assertThat(request("service:web?state=passing,warning&stale=true")).isEqualTo("/v1/health/service/web?stale");
    }

    @Test
    void catalogQueries() {
        assertThat(request("services:*")).isEqualTo("/v1/catalog/services");
        assertThat(request("services:*?tag=http&dc=dc2")).isEqualTo("/v1/catalog/services?dc=dc2");
        assertThat(request("node:n1")).isEqualTo("/v1/catalog/node/n1");
        assertThat(request("nodes:*?stale=true")).isEqualTo("/v1/catalog/nodes?stale");
        assertThat(request("datacenters:*")).isEqualTo("/v1/catalog/datacenters");
    }

    @Test
    void queriesReadingTheSameEndpointShareOneRequest() {
        assertThat(StoreRequest.of(Query.parse("key:a")))
                .isEqualTo(StoreRequest.of(Query.parse("key:a?default=x")))
                .isEqualTo(StoreRequest.of(Query.parse("keyExists:a")));
        assertThat(StoreRequest.of(Query.parse("tree:p"))).isEqualTo(StoreRequest.of(Query.parse("ls:p/")));
        assertThat(StoreRequest.of(Query.parse("services:*?tag=a")))
                .isEqualTo(StoreRequest.of(Query.parse("services:*")));
        assertThat(StoreRequest.of(Query.parse("service:web?tag=a")))
                .isNotEqualTo(StoreRequest.of(Query.parse("service:web")));
    }

    @Test
    void onlyDatacentersDoesNotBlock() {
        assertThat(StoreRequest.of(Query.parse("datacenters:*")).endpoint().blocking()).isFalse();
        assertThat(StoreRequest.of(Query.parse("nodes:*")).endpoint().blocking()).isTrue();
    }

    @Test
    void localQueriesHaveNoRequest() {
        assertThatThrownBy(() -> StoreRequest.of(Query.parse("env:HOME")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("answered locally");
    }
}

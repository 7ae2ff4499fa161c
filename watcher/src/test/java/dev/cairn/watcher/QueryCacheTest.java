package dev.cairn.watcher;

import dev.cairn.template.KvEntry;
import dev.cairn.template.Query;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The data source renders read: keyed by request, no data until fetched, change detection. */
class QueryCacheTest {

    private final QueryCache cache = new QueryCache();

    private Object held(String query) {
        return cache.get(Query.parse(query)).map(l -> (Object) l).orElse(null);
    }

    private static StoreRequest request(String query) {
        return StoreRequest.of(Query.parse(query));
    }

    @Test
    void nothingIsHeldUntilFetched() {
        assertThat(cache.get(Query.parse("key:a"))).isEmpty();
        assertThat(cache.nextIndex(request("key:a"))).isZero();
    }

    @Test
    void queriesOnTheSameRequestReadTheSameAnswer() {
        cache.update(request("key:a"), 0, new QueryResult(List.of(KvEntry.of("a", "1")), 5));

        assertThat(held("key:a?default=x")).isEqualTo(List.of(KvEntry.of("a", "1")));
        assertThat(held("keyExists:a")).isEqualTo(List.of(KvEntry.of("a", "1")));
        assertThat(cache.get(Query.parse("key:b"))).isEmpty();
    }

    @Test
    void anEmptyAnswerIsDataNotAbsence() {
        cache.update(request("tree:p"), 0, new QueryResult(List.of(), 3));
        assertThat(held("ls:p")).isEqualTo(List.of());
    }

    @Test
    void updateSaysWhetherTheDataChanged() {
        StoreRequest r = request("key:a");
        assertThat(cache.update(r, 0, new QueryResult(List.of(KvEntry.of("a", "1")), 5))).isTrue();
        assertThat(cache.update(r, 5, new QueryResult(List.of(KvEntry.of("a", "1")), 7)))
                .as("a new index with the same data (an idempotent write)").isFalse();
        assertThat(cache.update(r, 7, new QueryResult(List.of(KvEntry.of("a", "2")), 8))).isTrue();
        assertThat(cache.nextIndex(r)).isEqualTo(8);
    }

    @Test
    void anIndexGoingBackwardsMakesTheNextFetchNonBlocking() {
        StoreRequest r = request("nodes:*");
        cache.update(r, 0, new QueryResult(List.of(), 40));
        cache.update(r, 40, new QueryResult(List.of(), 12));
        assertThat(cache.nextIndex(r)).isZero();
    }

    @Test
    void localQueriesAreNotStoreData() {
        assertThat(cache.get(Query.parse("env:HOME"))).isEmpty();
    }
}

package dev.cairn.watcher;

import dev.cairn.template.DataSource;
import dev.cairn.template.Query;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The store data a watcher holds, as a {@link DataSource} for renders: for each
 * {@link StoreRequest}, the last answer and the index to block on next.
 *
 * <p>Filled by fetches ({@link #update}), read by renders ({@link #get}) from any thread: a render
 * never waits for the network, it sees what has arrived ("no data yet" is
 * {@code Optional.empty()}). Entries are keyed by request, not by query, so the queries that read
 * the same endpoint ({@code key:a}, {@code key:a?default=x}, {@code keyExists:a}; {@code tree:p},
 * {@code ls:p}) share one entry and one watch. {@code env:} and {@code file:} are not store data:
 * combine with {@code withLocal(DataSource.local())}.
 *
 * <p>For the daemon: one loop per request runs {@code client.fetch(request, nextIndex(request),
 * wait)} and hands the answer to {@link #update}, which applies Consul's index rules and says
 * whether the data changed (the templates that depend on the request are then dirty).
 */
final class QueryCache implements DataSource {

    /** One request's last answer; {@code nextIndex} is what to send on the next blocking fetch. */
    private record Entry(List<?> data, long index, long nextIndex) {
    }

    private final ConcurrentMap<StoreRequest, Entry> entries = new ConcurrentHashMap<>();

    @Override
    public Optional<? extends List<?>> get(Query query) {
        if (query.kind().isLocal()) {
            return Optional.empty();
        }
        Entry e = entries.get(StoreRequest.of(query));
        return e == null ? Optional.empty() : Optional.of(e.data());
    }

    /** True once {@code request} has had an answer. */
    boolean has(StoreRequest request) {
        return entries.containsKey(request);
    }

    /**
     * Stores an answer to {@code request} that was fetched with index {@code sent}.
     *
     * @return true if the data differs from what was held (or nothing was): renders that read it
     *         may change. An answer with new index but equal data (an idempotent write, a write
     *         elsewhere under a shared index) returns false.
     */
    boolean update(StoreRequest request, long sent, QueryResult result) {
        Entry fresh = new Entry(result.data(), result.index(), StoreClient.nextIndex(sent, result.index()));
        Entry old = entries.put(request, fresh);
        return old == null || !old.data().equals(fresh.data());
    }

    /** The index to send on the next blocking fetch of {@code request}: 0 if nothing is held. */
    long nextIndex(StoreRequest request) {
        Entry e = entries.get(request);
        return e == null ? 0 : e.nextIndex();
    }

    /** Forgets a request no template uses any more. */
    void remove(StoreRequest request) {
        entries.remove(request);
    }
}

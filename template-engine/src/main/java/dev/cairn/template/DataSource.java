package dev.cairn.template;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a render gets query results. The engine knows nothing of HTTP: the watcher implements
 * this over its blocking-query loops, tests over fixtures.
 *
 * <p>{@link #get} answers from what the source already holds and must not block: a render runs
 * while the watcher waits for changes. {@code Optional.empty()} means "no data yet" (not fetched
 * yet), which is different from an empty list ("fetched, nothing there"): a template that touched
 * a query with no data yet is not complete and must not be written. The element type of the list
 * depends on the query's kind, see {@link Query.Kind}. The engine filters (health state, tags,
 * prefix depth) and sorts what it gets, so an answer may be a superset, in any order.
 *
 * <p>A render may call {@link #get} from any thread, once per distinct query per render.
 */
@FunctionalInterface
public interface DataSource {

    Optional<? extends List<?>> get(Query query);

    /**
     * Answers {@code env:} from {@code environment} and {@code file:} from the local disk (read at
     * each render; a missing file reads as empty); every other query has no data.
     */
    static DataSource local(Map<String, String> environment) {
        return new LocalDataSource(environment);
    }

    /** {@link #local(Map)} over this process's environment. */
    static DataSource local() {
        return local(System.getenv());
    }

    /** This source for store queries, {@code local} for {@code env:} and {@code file:}. */
    default DataSource withLocal(DataSource local) {
        return query -> query.kind().isLocal() ? local.get(query) : get(query);
    }
}

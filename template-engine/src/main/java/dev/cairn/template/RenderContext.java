package dev.cairn.template;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The state of one render: the source, each query's view (asked for once, so a query touched in
 * many places reads one consistent answer), and what the render touched. It is the bottom scope of
 * the Mustache scope stack, which is how bindings find it; one per render, one thread.
 */
final class RenderContext {

    private final DataSource source;
    private final Map<Query, Object> views = new HashMap<>();
    private final Set<Query> dependencies = new LinkedHashSet<>();
    private final Set<Query> waitingFor = new LinkedHashSet<>();
    private final Set<Query> missingKeys = new LinkedHashSet<>();

    RenderContext(DataSource source) {
        this.source = source;
    }

    Object resolve(Query query) {
        dependencies.add(query);
        if (views.containsKey(query)) {
            return views.get(query);
        }
        Object view = view(query);
        views.put(query, view);
        return view;
    }

    RenderResult result(String output) {
        return new RenderResult(output, dependencies, waitingFor, missingKeys);
    }

    private Object view(Query query) {
        Optional<? extends List<?>> answer = source.get(query);
        if (answer == null) {
            throw new IllegalStateException("DataSource answered null for " + query
                    + "; answer Optional.empty() when there is no data yet");
        }
        if (answer.isEmpty()) {
            waitingFor.add(query);
            return Views.noData(query);
        }
        Object view = Views.of(query, answer.get());
        if (view == null && query.kind() == Query.Kind.KEY) {
            missingKeys.add(query); // only possible without a default: the template waits for the key
        }
        return view;
    }

    @Override
    public String toString() {
        return ""; // what {{.}} writes at the top level
    }
}

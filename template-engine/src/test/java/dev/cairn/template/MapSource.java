package dev.cairn.template;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A hand-fed source: a query has data once {@link #put} gave it some. Counts what it is asked. */
final class MapSource implements DataSource {

    private final Map<Query, List<?>> answers = new ConcurrentHashMap<>();
    final AtomicInteger calls = new AtomicInteger();

    MapSource put(String query, List<?> answer) {
        answers.put(Query.parse(query), answer);
        return this;
    }

    MapSource key(String path, String value) {
        return put("key:" + path, List.of(KvEntry.of(path, value)));
    }

    @Override
    public Optional<? extends List<?>> get(Query query) {
        calls.incrementAndGet();
        return Optional.ofNullable(answers.get(query));
    }
}

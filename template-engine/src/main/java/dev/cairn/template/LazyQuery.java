package dev.cairn.template;

/**
 * A field whose value is another query, resolved only when a template touches it: the
 * {@code Instances} of a {@code services:*} entry. Resolving it makes the query a dependency, so a
 * template that never looks at instances does not watch every service.
 */
record LazyQuery(Query query) {
}

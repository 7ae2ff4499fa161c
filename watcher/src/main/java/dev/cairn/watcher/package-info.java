/**
 * The template daemon's parts (DESIGN.md, "The template daemon"): a store client, the data a
 * watcher holds, and one-shot renders ({@code cairn template -once}).
 *
 * <p>Public surface, used by the CLI: {@link dev.cairn.watcher.TemplateSpec} (a {@code -template}
 * value), {@link dev.cairn.watcher.TemplateRunner} (load, render, write; errors as
 * {@link dev.cairn.watcher.RunException}), {@link dev.cairn.watcher.StoreClient} (queries over
 * HTTP, answers as {@link dev.cairn.watcher.QueryResult}, failures as
 * {@link dev.cairn.watcher.StoreException}).
 *
 * <p>Inside: {@code StoreRequest} maps a query to its HTTP request (the unit of caching and
 * watching: queries reading the same endpoint share one), {@code ConsulJson} maps Consul's JSON
 * to the engine's records, {@code QueryCache} is the {@code DataSource} renders read, filled by
 * fetches and applying Consul's blocking-index rules, {@code AtomicFileWriter} writes outputs,
 * {@code CommandRunner} runs commands, {@code UnifiedDiff} shows changes.
 *
 * <p>The long-running daemon builds on these: a {@code WatchManager} keeps one loop per distinct
 * {@code StoreRequest} that any template depends on ({@code RenderResult.dependencies()} mapped
 * through {@code StoreRequest.of}), each doing {@code client.fetch(request, cache.nextIndex(request),
 * wait)} then {@code cache.update(...)}, and marks the request's templates dirty when
 * {@code update} returns true.
 */
package dev.cairn.watcher;

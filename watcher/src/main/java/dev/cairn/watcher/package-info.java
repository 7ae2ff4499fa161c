/**
 * The template daemon (DESIGN.md, "The template daemon"): a store client, the data a watcher
 * holds, one-shot renders ({@code cairn template -once}) and the long-running daemon.
 *
 * <p>Public surface, used by the CLI: {@link dev.cairn.watcher.DaemonConfig} (config files and
 * flags, with {@link dev.cairn.watcher.TemplateConfig} per template and
 * {@link dev.cairn.watcher.TemplateSpec} for a {@code -template} value),
 * {@link dev.cairn.watcher.TemplateDaemon} (start, reload, close; a {@code Listener} and
 * {@link dev.cairn.watcher.DaemonMetrics} to see what it does), {@link dev.cairn.watcher.TemplateRunner}
 * ({@code -once}; errors as {@link dev.cairn.watcher.RunException}), {@link dev.cairn.watcher.StoreClient}
 * (queries over HTTP, answers as {@link dev.cairn.watcher.QueryResult}, failures as
 * {@link dev.cairn.watcher.StoreException}).
 *
 * <p>Inside: {@code StoreRequest} maps a query to its HTTP request (the unit of caching and
 * watching: queries reading the same endpoint share one), {@code ConsulJson} maps Consul's JSON
 * to the engine's records, {@code QueryCache} is the {@code DataSource} renders read, filled by
 * fetches and applying Consul's blocking-index rules. The daemon is {@code WatchManager} (one
 * blocking-query loop per distinct {@code StoreRequest}, reference-counted by the templates whose
 * last render touched it; backoff, stale reads), {@code TemplateJob} (per template: quiescence,
 * render, one run at a time), {@code FileWatcher} (template sources and {@code file:} paths, via
 * {@code WatchService}) and {@code OutputPublisher} (shared with {@code -once}: unchanged? stop;
 * temp file, check command, atomic rename with {@code AtomicFileWriter}, command via
 * {@code CommandRunner}, rollback). {@code ConfigFile} reads JSON/YAML config files;
 * {@code UnifiedDiff} shows changes.
 */
package dev.cairn.watcher;

package dev.cairn.watcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Tells callbacks when local files change: template sources (recompile) and {@code file:} query
 * paths (re-render). Built on {@link WatchService}, which watches folders, not files: each
 * watched file's folder is registered once, and its events are matched to files by name, so an
 * editor that saves by writing a new file and renaming it over the old one is seen too.
 *
 * <p>Editors and deploy tools touch a file several times per save (truncate, write, chmod,
 * rename): a callback runs once, {@link #DEBOUNCE} after the last event for its files. Callbacks run
 * on the scheduler: they must return quickly.
 */
final class FileWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);

    static final Duration DEBOUNCE = Duration.ofMillis(200);

    private final WatchService service;
    private final ScheduledExecutorService scheduler;

    // guarded by this
    private final Map<Runnable, Set<Path>> watches = new HashMap<>();
    private final Map<Path, WatchKey> folders = new HashMap<>();
    private final Map<Runnable, ScheduledFuture<?>> pending = new HashMap<>();
    private boolean closed;

    FileWatcher(ScheduledExecutorService scheduler) throws IOException {
        this.service = FileSystems.getDefault().newWatchService();
        this.scheduler = scheduler;
        Thread thread = new Thread(this::run, "cairn-file-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Sets the files {@code callback} is told about (replacing what it watched before). */
    synchronized void watch(Runnable callback, Set<Path> files) {
        if (closed) {
            return;
        }
        Set<Path> now = new HashSet<>();
        files.forEach(f -> now.add(f.toAbsolutePath().normalize()));
        if (now.equals(watches.getOrDefault(callback, Set.of()))) {
            return;
        }
        if (now.isEmpty()) {
            watches.remove(callback);
        } else {
            watches.put(callback, now);
        }
        Set<Path> needed = new HashSet<>();
        watches.values().forEach(set -> set.forEach(f -> needed.add(f.getParent())));
        for (Path folder : needed) {
            if (!folders.containsKey(folder)) {
                try {
                    folders.put(folder, folder.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
                } catch (IOException e) {
                    log.warn("cannot watch folder {} for changes: {}", folder, e.toString());
                }
            }
        }
        folders.entrySet().removeIf(e -> {
            if (needed.contains(e.getKey())) {
                return false;
            }
            e.getValue().cancel();
            return true;
        });
    }

    void unwatch(Runnable callback) {
        watch(callback, Set.of());
    }

    private void run() {
        while (true) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Path folder = (Path) key.watchable();
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    changedIn(folder, null);
                } else {
                    changedIn(folder, folder.resolve((Path) event.context()));
                }
            }
            key.reset();
        }
    }

    /** Debounces the callbacks watching {@code file} (every file in {@code folder} if null). */
    private synchronized void changedIn(Path folder, Path file) {
        for (Map.Entry<Runnable, Set<Path>> e : watches.entrySet()) {
            boolean hit = file != null ? e.getValue().contains(file)
                    : e.getValue().stream().anyMatch(f -> folder.equals(f.getParent()));
            if (hit) {
                Runnable callback = e.getKey();
                ScheduledFuture<?> before = pending.get(callback);
                if (before != null) {
                    before.cancel(false);
                }
                try {
                    pending.put(callback, scheduler.schedule(() -> fire(callback), DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS));
                } catch (RejectedExecutionException ex) {
                    return; // shutting down
                }
            }
        }
    }

    private void fire(Runnable callback) {
        synchronized (this) {
            pending.remove(callback);
            if (closed || !watches.containsKey(callback)) {
                return;
            }
        }
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.error("file change handler failed", e);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            pending.values().forEach(f -> f.cancel(false));
            pending.clear();
            watches.clear();
        }
        try {
            service.close();
        } catch (IOException e) {
            log.debug("closing the watch service: {}", e.toString());
        }
    }
}

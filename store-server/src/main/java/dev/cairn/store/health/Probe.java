package dev.cairn.store.health;

import java.util.concurrent.CompletableFuture;

/**
 * One kind of active check (HTTP, TCP, script). A run never blocks the caller: it completes the
 * future later, within the check's timeout, and never completes it exceptionally on purpose (a
 * failure to reach the target is a critical result, not an error).
 */
@FunctionalInterface
interface Probe {
    CompletableFuture<CheckResult> run();
}

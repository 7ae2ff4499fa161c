package dev.cairn.store.health;

import dev.cairn.store.catalog.HealthCheck;

import java.net.ConnectException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What one run of a check found: a Consul status string and the output shown with it. */
record CheckResult(String status, String output) {

    static CheckResult passing(String output) {
        return new CheckResult(HealthCheck.PASSING, output);
    }

    static CheckResult warning(String output) {
        return new CheckResult(HealthCheck.WARNING, output);
    }

    static CheckResult critical(String output) {
        return new CheckResult(HealthCheck.CRITICAL, output);
    }

    /**
     * An error as one stable line: the first message found down the cause chain (the JDK's HTTP
     * client often wraps a ConnectException without a message), else the exception's class name.
     * Stable matters: a different output on every run would be written through Raft every run.
     */
    static String describe(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        for (Throwable x = e; x != null; x = x.getCause()) {
            if (x instanceof UnresolvedAddressException) {
                return "no such host";
            }
            if (x.getMessage() != null && !x.getMessage().isBlank()) {
                return x.getMessage();
            }
        }
        // the JDK's HTTP client reports a refused or unreachable target as a bare ConnectException
        return e instanceof ConnectException ? "could not connect" : e.getClass().getSimpleName();
    }
}

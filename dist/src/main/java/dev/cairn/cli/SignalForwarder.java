package dev.cairn.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Routes signals (SIGINT and SIGTERM by default; SIGHUP and others on request) to whoever
 * registered for them (for {@code cairn lock}: its child process; for {@code cairn template}: the
 * daemon's stop and reload) instead of ending the JVM at once. With nobody registered for a
 * signal, it does what it did before: the JVM's own handler runs and the JVM exits.
 *
 * <p>Java has no public API for this; {@code sun.misc.Signal} (module jdk.unsupported) is the
 * long-standing way, used by Tomcat, Kafka and Elasticsearch among others. Handlers are installed
 * once per JVM and signal, and stay: several commands may run in one JVM (tests), each
 * registering in turn.
 */
final class SignalForwarder {

    private record Listener(Set<String> signals, Consumer<String> callback) {
    }

    private static final Map<Object, Listener> LISTENERS = new ConcurrentHashMap<>();
    private static final Map<String, SignalHandler> PREVIOUS = new ConcurrentHashMap<>();

    private SignalForwarder() {
    }

    /** Calls {@code listener} with "INT" or "TERM" on each signal until the returned handle is closed. */
    static AutoCloseable register(Consumer<String> listener) {
        return register(listener, List.of("INT", "TERM"));
    }

    /**
     * Calls {@code listener} with the signal's name ("HUP", "INT", ...) on each of {@code signals}
     * until the returned handle is closed. A signal the JVM will not let us handle is skipped.
     */
    static AutoCloseable register(Consumer<String> listener, List<String> signals) {
        signals.forEach(SignalForwarder::install);
        Object key = new Object();
        LISTENERS.put(key, new Listener(Set.copyOf(signals), listener));
        return () -> LISTENERS.remove(key);
    }

    private static synchronized void install(String name) {
        if (PREVIOUS.containsKey(name)) {
            return;
        }
        try {
            PREVIOUS.put(name, Signal.handle(new Signal(name), SignalForwarder::handle));
        } catch (IllegalArgumentException e) {
            // the JVM was started with -Xrs, uses the signal itself, or the OS has no such signal
        }
    }

    private static void handle(Signal signal) {
        List<Listener> interested = LISTENERS.values().stream()
                .filter(l -> l.signals().contains(signal.getName())).toList();
        if (interested.isEmpty()) {
            SignalHandler previous = PREVIOUS.get(signal.getName());
            if (previous != null && previous != SignalHandler.SIG_DFL && previous != SignalHandler.SIG_IGN) {
                previous.handle(signal);
            } else if (previous != SignalHandler.SIG_IGN) {
                System.exit(128 + signal.getNumber());
            }
            return;
        }
        interested.forEach(l -> l.callback().accept(signal.getName()));
    }
}

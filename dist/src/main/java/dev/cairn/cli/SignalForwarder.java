package dev.cairn.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Routes SIGINT and SIGTERM to whoever registered for them (for {@code cairn lock}: its child
 * process) instead of ending the JVM at once. With nobody registered, a signal does what it did
 * before: the JVM's own handler runs and the JVM exits.
 *
 * <p>Java has no public API for this; {@code sun.misc.Signal} (module jdk.unsupported) is the
 * long-standing way, used by Tomcat, Kafka and Elasticsearch among others. Handlers are installed
 * once per JVM and stay: several commands may run in one JVM (tests), each registering in turn.
 */
final class SignalForwarder {

    private static final Map<Object, Consumer<String>> LISTENERS = new ConcurrentHashMap<>();
    private static final Map<String, SignalHandler> PREVIOUS = new ConcurrentHashMap<>();

    private SignalForwarder() {
    }

    /** Calls {@code listener} with "INT" or "TERM" on each signal until the returned handle is closed. */
    static AutoCloseable register(Consumer<String> listener) {
        install();
        Object key = new Object();
        LISTENERS.put(key, listener);
        return () -> LISTENERS.remove(key);
    }

    private static synchronized void install() {
        if (!PREVIOUS.isEmpty()) {
            return;
        }
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                PREVIOUS.put(name, Signal.handle(new Signal(name), SignalForwarder::handle));
            } catch (IllegalArgumentException e) {
                // the JVM was started with -Xrs, or the OS has no such signal: leave it alone
            }
        }
    }

    private static void handle(Signal signal) {
        if (LISTENERS.isEmpty()) {
            SignalHandler previous = PREVIOUS.get(signal.getName());
            if (previous != null && previous != SignalHandler.SIG_DFL && previous != SignalHandler.SIG_IGN) {
                previous.handle(signal);
            } else if (previous != SignalHandler.SIG_IGN) {
                System.exit(128 + signal.getNumber());
            }
            return;
        }
        LISTENERS.values().forEach(l -> l.accept(signal.getName()));
    }
}

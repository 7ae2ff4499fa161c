package dev.cairn.registrator;

import java.util.List;
import java.util.Optional;

/**
 * Where containers come from: a Docker engine ({@link DockerEngine}) in production, a fake in
 * tests. Failures to reach the engine are {@link SourceUnavailableException}s.
 */
interface ContainerSource extends AutoCloseable {

    /** A container event: {@code action} is {@code start}, {@code die}, {@code stop} or {@code destroy}. */
    record Event(String action, String containerId, long timeNanos) {
    }

    /** Receives events on the source's own thread; {@link #closed} once, when the stream ends. */
    interface Listener {
        void event(Event e);

        void closed(Throwable cause);
    }

    /** Where the engine is, for messages ({@code unix:///var/run/docker.sock}). */
    String address();

    /** Throws {@link SourceUnavailableException} unless the engine answers. */
    void ping();

    /** Ids of the running containers. */
    List<String> running();

    /** The container, or empty when it no longer exists. */
    Optional<Container> inspect(String id);

    /**
     * Streams container events from {@code sinceNanos} (epoch nanoseconds; 0: from now on) until
     * the returned handle is closed or the stream breaks ({@link Listener#closed}).
     */
    AutoCloseable events(long sinceNanos, Listener listener);

    @Override
    void close();
}

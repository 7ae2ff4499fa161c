package dev.cairn.watcher;

/**
 * A store query that got no usable answer: the server could not be reached ({@link #status()} 0),
 * or it answered with an error status, or with JSON that does not have Consul's shape.
 * {@link #retryable()} tells a watch loop whether trying again later can help.
 */
public final class StoreException extends RuntimeException {

    private final int status;

    StoreException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status the server answered with, or 0 when there was no answer. */
    public int status() {
        return status;
    }

    /**
     * True for no answer, 429 and 5xx: the server may answer later (a leader election, a restart).
     * A 4xx such as an unknown datacenter stays wrong until the template changes.
     */
    public boolean retryable() {
        return status == 0 || status == 429 || status >= 500;
    }
}

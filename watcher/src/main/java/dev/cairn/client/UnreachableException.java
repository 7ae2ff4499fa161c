package dev.cairn.client;

/** No HTTP answer at all: nothing listening, unknown host, timeout, connection lost. */
public final class UnreachableException extends RuntimeException {

    public UnreachableException(String address, String reason, Throwable cause) {
        super("cannot reach Cairn at " + address + ": " + reason, cause);
    }
}

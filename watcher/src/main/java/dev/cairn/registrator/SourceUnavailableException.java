package dev.cairn.registrator;

/** The Docker engine did not answer; the message names where it was looked for. */
public final class SourceUnavailableException extends RuntimeException {
    public SourceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.cairn.client;

/**
 * The server answered with an error status. The message is the one Consul's Go client shows
 * ({@code Unexpected response code: 400 (Missing key name)}), so users see the server's own words.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String serverMessage;

    public ApiException(int status, String serverMessage) {
        super("Unexpected response code: " + status
                + (serverMessage.isEmpty() ? "" : " (" + serverMessage + ")"));
        this.status = status;
        this.serverMessage = serverMessage;
    }

    public int status() {
        return status;
    }

    /** The response body, trimmed and on one line; empty when the server sent none. */
    public String serverMessage() {
        return serverMessage;
    }
}

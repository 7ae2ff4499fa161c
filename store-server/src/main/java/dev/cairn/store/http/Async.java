package dev.cairn.store.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Helpers for handlers that answer later: reading bodies and finishing after a Raft write. */
public final class Async {

    private Async() {
    }

    /**
     * Reads the whole body (at most {@code maxBytes}, else 413 naming {@code what}) and passes it
     * on; runs {@code then} with the exchange dispatched, so it may answer from any thread later.
     */
    public static void readBody(HttpServerExchange ex, long maxBytes, String what, BiConsumer<HttpServerExchange, byte[]> then) {
        String declared = ex.getRequestHeaders().getFirst(Headers.CONTENT_LENGTH);
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Invalid Content-Length \"" + declared + "\"");
            }
            if (length > maxBytes) {
                throw tooLarge(what, length, maxBytes);
            }
        }
        ex.setMaxEntitySize(maxBytes);
        ex.getRequestReceiver().receiveFullBytes(
                (e, bytes) -> e.dispatch(SameThreadExecutor.INSTANCE, () -> {
                    try {
                        then.accept(e, bytes);
                    } catch (ApiException api) {
                        Responses.sendText(e, api.status(), api.getMessage());
                    }
                }),
                (e, error) -> Responses.sendText(e, 413, tooLarge(what, -1, maxBytes).getMessage()));
    }

    static ApiException tooLarge(String what, long length, long maxBytes) {
        String size = length >= 0 ? length + " bytes" : "more than " + maxBytes + " bytes";
        return new ApiException(413, what + " is too large: " + size + ", the limit is " + maxBytes + " bytes");
    }

    /** Answers when {@code future} completes, on the exchange's I/O thread; failures become 5xx/4xx. */
    public static <T> void answer(HttpServerExchange ex, CompletableFuture<T> future, Consumer<T> onSuccess) {
        future.whenComplete((value, error) -> ex.getIoThread().execute(() -> {
            if (error == null) {
                try {
                    onSuccess.accept(value);
                } catch (ApiException api) {
                    Responses.sendText(ex, api.status(), api.getMessage());
                }
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof ApiException api) {
                Responses.sendText(ex, api.status(), api.getMessage());
            } else {
                Responses.sendText(ex, 500, describe(cause));
            }
        }));
    }

    /** A 5xx body: Raft failures say there is no leader; anything else is named as it is. */
    static String describe(Throwable cause) {
        if (cause instanceof dev.cairn.store.raft.NoLeaderException) {
            return "No cluster leader: " + cause.getMessage();
        }
        return "Internal error: " + cause;
    }
}

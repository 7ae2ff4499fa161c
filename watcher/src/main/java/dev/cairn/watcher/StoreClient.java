package dev.cairn.watcher;

import dev.cairn.client.CairnClient;
import dev.cairn.template.Query;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads store queries from a Cairn (or Consul) server over its HTTP API, as the engine's records.
 *
 * <p>Every fetch is asynchronous ({@link HttpClient#sendAsync}): a watcher keeps one blocking
 * query per distinct {@link StoreRequest} parked on the server, and parked requests must not cost a
 * thread each. A fetch with {@code index} 0 answers at once; with {@code index >= 1} the server
 * holds it until the data's index passes {@code index} or {@code wait} ends (CONSUL-API.md §2).
 * What index to send next is {@link #nextIndex}'s business (Consul's client rules).
 *
 * <p>Failures complete the future with a {@link StoreException} naming the request and the server.
 */
public final class StoreClient {

    /** Time to open a connection; a server that takes longer counts as unreachable. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Time allowed for a non-blocking request. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Margin over {@code wait + wait/16} (the server's jitter) before a blocking request times out. */
    static final Duration BLOCKING_MARGIN = Duration.ofSeconds(5);

    private static final StoreRequest.Param STALE = new StoreRequest.Param("stale", null);

    private final URI base;
    private final String token;
    private final HttpClient http;

    /**
     * @param base  {@code http(s)://host:port}, optionally with a path prefix
     * @param token ACL token sent as {@code X-Consul-Token}; null or empty for none
     */
    public StoreClient(URI base, String token) {
        this.base = URI.create(stripSlash(Objects.requireNonNull(base, "base").toString()));
        this.token = token == null || token.isEmpty() ? null : token;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    /** The server's base URL, for messages. */
    public URI base() {
        return base;
    }

    /** Fetches a store query now, without blocking on the server. */
    public CompletableFuture<QueryResult> fetch(Query query) {
        return fetch(StoreRequest.of(query), 0, null);
    }

    /**
     * Fetches a store query, blocking on the server while its index is still {@code index}.
     *
     * @param index 0 for an answer at once; else the index of the data already held
     * @param wait  how long the server may hold the request (Consul's default 5 min if null)
     */
    public CompletableFuture<QueryResult> fetch(Query query, long index, Duration wait) {
        return fetch(StoreRequest.of(query), index, wait);
    }

    CompletableFuture<QueryResult> fetch(StoreRequest request, long index, Duration wait) {
        return fetch(request, index, wait, false);
    }

    /**
     * As {@link #fetch(StoreRequest, long, Duration)}; {@code stale} adds {@code ?stale} (any server
     * may answer from its local state) unless the request already has it.
     */
    CompletableFuture<QueryResult> fetch(StoreRequest request, long index, Duration wait, boolean stale) {
        boolean blocking = index > 0 && request.endpoint().blocking();
        List<StoreRequest.Param> extra = new ArrayList<>(2);
        if (blocking) {
            extra.add(new StoreRequest.Param("index", Long.toUnsignedString(index)));
            if (wait != null) {
                extra.add(new StoreRequest.Param("wait", Math.max(1, wait.toMillis()) + "ms"));
            }
        }
        if (stale && !request.params().contains(STALE)) {
            extra.add(STALE);
        }
        Duration timeout = !blocking ? REQUEST_TIMEOUT
                : wait == null ? Duration.ofMinutes(5).plus(Duration.ofMinutes(5).dividedBy(16)).plus(BLOCKING_MARGIN)
                : wait.plus(wait.dividedBy(16)).plus(BLOCKING_MARGIN);
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + request.pathAndQuery(extra)))
                .GET()
                .timeout(timeout)
                .header("Accept", "application/json");
        if (token != null) {
            builder.header("X-Consul-Token", token);
        }
        return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        throw new StoreException("cannot reach " + base + " for " + request + ": " + CairnClient.reason(cause),
                                0, cause);
                    }
                    QueryResult result = answer(request, response.statusCode(), response.body(),
                            response.headers().firstValue("X-Consul-Index").orElse(null));
                    long lastContact = parseIndex(response.headers().firstValue("X-Consul-LastContact").orElse(null));
                    return lastContact == 0 ? result : new QueryResult(result.data(), result.index(), lastContact);
                });
    }

    /** Turns a response into data, or a {@link StoreException} naming what went wrong. */
    QueryResult answer(StoreRequest request, int status, byte[] body, String indexHeader) {
        long index = parseIndex(indexHeader);
        if (status == 404 && request.endpoint().notFoundIsEmpty()) {
            return new QueryResult(List.of(), index);
        }
        if (status != 200) {
            String text = new String(body, StandardCharsets.UTF_8).strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
            throw new StoreException(base + " answered " + status + " to " + request
                    + (text.isEmpty() ? "" : ": " + text), status, null);
        }
        try {
            return new QueryResult(ConsulJson.decode(request.endpoint(), body), index);
        } catch (IOException e) {
            throw new StoreException(base + " sent an answer to " + request + " that is not Consul's JSON: "
                    + e.getMessage(), status, e);
        }
    }

    /**
     * The index to send on the next blocking fetch after one that sent {@code sent} and got
     * {@code returned} back (CONSUL-API.md §2, "Rules clients must follow"): an index that went
     * backwards (a restored snapshot, another server) resets to 0, which fetches afresh without
     * blocking; otherwise it is at least 1, since {@code index=0} would never block and a server
     * that answers 0 would turn the loop into a busy one.
     */
    static long nextIndex(long sent, long returned) {
        if (Long.compareUnsigned(returned, sent) < 0) {
            return 0;
        }
        return Math.max(returned, 1);
    }

    static long parseIndex(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(header.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String stripSlash(String s) {
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    @Override
    public String toString() {
        return "StoreClient[" + base + "]";
    }
}

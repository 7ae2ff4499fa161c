package dev.cairn.store.health;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP check, as Consul runs it: any 2xx is passing, 429 is warning, anything else (and any
 * failure to get a response) is critical. The output reads like Consul's,
 * {@code HTTP GET http://host/health: 200 OK Output: <first 4 KB of the body>}.
 */
final class HttpProbe implements Probe {

    /** Consul keeps this much of a response body as the check's output. */
    static final int MAX_BODY = 4096;

    private final HttpClient client;
    private final ScheduledExecutorService timer;
    private final String url;
    private final String method;
    private final Map<String, List<String>> headers;
    private final String body;
    private final Duration timeout;

    HttpProbe(HttpClient client, ScheduledExecutorService timer, String url, String method,
              Map<String, List<String>> headers, String body, Duration timeout) {
        this.client = client;
        this.timer = timer;
        this.url = url;
        this.method = method.isEmpty() ? "GET" : method;
        this.headers = headers;
        this.body = body;
        this.timeout = timeout;
    }

    @Override
    public CompletableFuture<CheckResult> run() {
        String prefix = "HTTP " + method + " " + url + ": ";
        CompletableFuture<HttpResponse<byte[]>> sent;
        try {
            sent = client.sendAsync(request(), info -> new CappedBody(MAX_BODY));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(CheckResult.critical(prefix + CheckResult.describe(e)));
        }
        CompletableFuture<CheckResult> result = sent.handle((response, error) -> error != null
                ? CheckResult.critical(prefix + (isTimeout(error) ? timedOut() : CheckResult.describe(error)))
                : classify(prefix, response));
        // the request timeout covers the wait for headers only; this also bounds a slow body
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            if (result.complete(CheckResult.critical(prefix + timedOut()))) {
                sent.cancel(true);
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((r, e) -> deadline.cancel(false));
        return result;
    }

    private HttpRequest request() {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            for (String v : h.getValue()) {
                b.header(h.getKey(), v);   // restricted names (Host, Connection, ...) throw: see run()
            }
        }
        if (!has("User-Agent")) {
            b.header("User-Agent", "Consul Health Check");
        }
        if (!has("Accept")) {
            b.header("Accept", "text/plain, text/*, */*");
        }
        return b.build();
    }

    private boolean has(String header) {
        return headers.keySet().stream().anyMatch(header::equalsIgnoreCase);
    }

    private String timedOut() {
        return "request timed out after " + timeout.toMillis() + "ms";
    }

    private static boolean isTimeout(Throwable t) {
        for (Throwable x = t; x != null; x = x.getCause()) {
            if (x instanceof HttpTimeoutException) {
                return true;
            }
        }
        return false;
    }

    static CheckResult classify(String prefix, HttpResponse<byte[]> response) {
        int code = response.statusCode();
        String output = prefix + code + statusText(code) + " Output: "
                + new String(response.body(), StandardCharsets.UTF_8);
        if (code >= 200 && code <= 299) {
            return CheckResult.passing(output);
        }
        return code == 429 ? CheckResult.warning(output) : CheckResult.critical(output);
    }

    /** Go's http.StatusText, as it appears in Consul's output ("200 OK"). */
    private static String statusText(int code) {
        String text = switch (code) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "";
        };
        return text.isEmpty() ? "" : " " + text;
    }

    /** Keeps the first {@code cap} bytes of a body, then stops reading (the connection is dropped). */
    static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int cap;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        CappedBody(int cap) {
            this.cap = cap;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                int n = Math.min(b.remaining(), cap - bytes.size());
                byte[] chunk = new byte[n];
                b.get(chunk);
                bytes.write(chunk, 0, n);
            }
            if (bytes.size() >= cap) {
                result.complete(bytes.toByteArray());
                subscription.cancel();
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}

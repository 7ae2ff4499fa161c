package dev.cairn.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A small client for a Cairn (or Consul) server's HTTP API, for the CLI commands and the registrator: one base address,
 * an optional ACL token sent as {@code X-Consul-Token}, and plain request/response calls. Errors
 * are unchecked: {@link UnreachableException} when there is no answer, {@link ApiException} from
 * {@link Response#ok()} for a 4xx/5xx. The CLI builds one with {@code ClientOptions.client()}.
 */
public final class CairnClient {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final URI base;
    private final String token;
    private final HttpClient http;

    /** @param base {@code http(s)://host:port}, optionally with a path prefix; no trailing slash */
    public CairnClient(URI base, String token) {
        this.base = base;
        this.token = token == null || token.isEmpty() ? null : token;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    public URI base() {
        return base;
    }

    /** A query string in insertion order; a {@code null} value sends the bare name ({@code ?recurse}). */
    public static Map<String, String> query() {
        return new LinkedHashMap<>();
    }

    public Response get(String path, Map<String, String> query) {
        return call("GET", path, query, null, null);
    }

    public Response put(String path, Map<String, String> query, byte[] body) {
        return call("PUT", path, query, body, null);
    }

    public Response delete(String path, Map<String, String> query) {
        return call("DELETE", path, query, null, null);
    }

    /**
     * One request. {@code path} is already encoded (see {@link #encodePath}); {@code timeout}
     * bounds the whole exchange and may be null (blocking queries pass wait plus a margin).
     */
    public Response call(String method, String path, Map<String, String> query, byte[] body, Duration timeout) {
        URI uri = URI.create(base + path + queryString(query));
        HttpRequest.Builder req = HttpRequest.newBuilder(uri)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            req.header("X-Consul-Token", token);
        }
        if (timeout != null) {
            req.timeout(timeout);
        }
        try {
            HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UnreachableException(base.toString(), reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException(base.toString(), "interrupted", e);
        }
    }

    /** The JDK reports "connection refused" as a ConnectException with no message: name the cause. */
    static String reason(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException) {
                return "unknown host";
            }
            if (t instanceof HttpConnectTimeoutException) {
                return "connection timed out";
            }
            if (t instanceof HttpTimeoutException) {
                return "request timed out";
            }
        }
        String m = e.getMessage();
        if (e instanceof ConnectException && (m == null || m.isBlank() || m.contains("refused"))) {
            return "connection refused";
        }
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /**
     * Percent-encodes a key for a URL path: every byte outside the unreserved set, except '/',
     * which stays literal because Consul keys are paths (the server also accepts %2F).
     */
    public static String encodePath(String s) {
        return encode(s, true);
    }

    static String encode(String s, boolean keepSlash) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || (keepSlash && c == '/');
            if (plain) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static String queryString(Map<String, String> query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        StringBuilder q = new StringBuilder();
        for (Map.Entry<String, String> e : query.entrySet()) {
            q.append(q.length() == 0 ? '?' : '&').append(encode(e.getKey(), false));
            if (e.getValue() != null) {
                q.append('=').append(encode(e.getValue(), true));
            }
        }
        return q.toString();
    }

    /** A response of any status; {@link #ok()} turns 4xx/5xx into an {@link ApiException}. */
    public record Response(int status, HttpHeaders headers, byte[] body) {

        public Response ok() {
            if (status >= 400) {
                String text = new String(body, StandardCharsets.UTF_8).strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
                throw new ApiException(status, text);
            }
            return this;
        }

        public boolean notFound() {
            return status == 404;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("server sent invalid JSON: " + e.getMessage(), e);
            }
        }

        /** {@code X-Consul-Index}, for blocking queries. */
        public OptionalLong index() {
            return headers.firstValue("X-Consul-Index").map(v -> OptionalLong.of(Long.parseUnsignedLong(v)))
                    .orElse(OptionalLong.empty());
        }
    }
}

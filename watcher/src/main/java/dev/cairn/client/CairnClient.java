package dev.cairn.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Told how a transfer goes: bytes so far, of {@code total} (-1 when the server did not say). */
    @FunctionalInterface
    public interface Transfer {
        Transfer NONE = (done, total) -> { };

        void progress(long done, long total);
    }

    /**
     * GETs a possibly large body straight into {@code target}, reporting bytes received to
     * {@code progress}. The returned response has an empty body on success; on a 4xx/5xx it holds
     * the server's message and {@code target} is left as it was.
     */
    public Response download(String path, Map<String, String> query, Path target, Transfer progress) {
        HttpRequest.Builder req = request(path, query).GET();
        try {
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() >= 400) {
                    return new Response(r.statusCode(), r.headers(), in.readAllBytes());
                }
                copy(in, target, r.headers().firstValueAsLong("Content-Length").orElse(-1), progress);
            }
            return new Response(r.statusCode(), r.headers(), new byte[0]);
        } catch (IOException e) {
            throw new UnreachableException(base.toString(), reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException(base.toString(), "interrupted", e);
        }
    }

    /** PUTs the file {@code source} as the body, streamed, reporting bytes sent to {@code progress}. */
    public Response upload(String path, Map<String, String> query, Path source, Transfer progress) {
        long size;
        try {
            size = Files.size(source);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
        }
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> counting(source, size, progress)), size);
        try {
            HttpResponse<byte[]> r = http.send(request(path, query).PUT(body).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UnreachableException(base.toString(), reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException(base.toString(), "interrupted", e);
        }
    }

    private HttpRequest.Builder request(String path, Map<String, String> query) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path + queryString(query)));
        if (token != null) {
            req.header("X-Consul-Token", token);
        }
        return req;
    }

    /** Copies the body into the file; a failure to write is the file's fault, not the server's. */
    private static void copy(InputStream in, Path target, long size, Transfer progress) throws IOException {
        OutputStream out;
        try {
            out = Files.newOutputStream(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
        try (out) {
            byte[] buf = new byte[1 << 16];
            long total = 0;
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
                }
                total += n;
                progress.progress(total, size);
            }
        }
    }

    private static InputStream counting(Path source, long size, Transfer progress) {
        try {
            return new FilterInputStream(Files.newInputStream(source)) {
                private long total;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        total += n;
                        progress.progress(total, size);
                    }
                    return n;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JDK reports "connection refused" as a ConnectException with no message: name the cause. */
    public static String reason(Throwable e) {
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

    /** Percent-encodes UTF-8 bytes outside the unreserved set; '/' too unless {@code keepSlash}. */
    public static String encode(String s, boolean keepSlash) {
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

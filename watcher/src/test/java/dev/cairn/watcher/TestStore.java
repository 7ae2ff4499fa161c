package dev.cairn.watcher;

import dev.cairn.store.CairnServer;
import dev.cairn.store.ServerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A throwaway in-process server (dev mode, ephemeral HTTP port, no Raft or DNS port) and the few
 * writes tests need, made over HTTP as any client would.
 */
final class TestStore implements AutoCloseable {

    static final String NODE = "tmpl-node";

    private final CairnServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private TestStore(CairnServer server) {
        this.server = server;
    }

    static TestStore start() throws IOException {
        return start(0, null);
    }

    /**
     * A server on {@code httpPort} (0: any free one) keeping its data in {@code dataDir} (null: a
     * temp dir deleted on close). Started again on the same port and folder, it is the same store
     * after a restart, indexes included.
     */
    static TestStore start(int httpPort, Path dataDir) throws IOException {
        ServerConfig c = new ServerConfig();
        c.dev = true;
        c.dataDir = dataDir;
        c.nodeName = NODE;
        c.httpPort = httpPort;
        c.raftPort = -1;
        c.dnsPort = -1;
        return new TestStore(CairnServer.start(c));
    }

    /** A loopback port nobody listens on now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Blocking queries parked on the server now. */
    int parked() {
        return server.parkedQueries();
    }

    URI address() {
        return URI.create("http://127.0.0.1:" + server.httpPort());
    }

    StoreClient client() {
        return new StoreClient(address(), null);
    }

    void put(String key, String value) {
        expectOk(send("PUT", "/v1/kv/" + key, value));
    }

    void delete(String key) {
        expectOk(send("DELETE", "/v1/kv/" + key, null));
    }

    /** PUT /v1/agent/service/register with a JSON body. */
    void register(String json) {
        expectOk(send("PUT", "/v1/agent/service/register", json));
    }

    void maintenance(String serviceId, boolean enable) {
        expectOk(send("PUT", "/v1/agent/service/maintenance/" + serviceId + "?enable=" + enable, null));
    }

    private static void expectOk(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            throw new AssertionError(r.request().method() + " " + r.request().uri() + ": " + r.statusCode() + " " + r.body());
        }
    }

    private HttpResponse<String> send(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(address() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}

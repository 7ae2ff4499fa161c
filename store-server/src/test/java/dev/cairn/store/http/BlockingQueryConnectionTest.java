package dev.cairn.store.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.store.CairnServer;
import dev.cairn.store.TestConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Blocking queries and the connections they arrive on: a client that hangs up on a parked query
 * releases it at once (as Consul's Go server notices), one that sends its next request while the
 * first is parked gets both answers, and query after query on one keep-alive connection holds no
 * memory.
 */
class BlockingQueryConnectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static CairnServer server;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        server = CairnServer.start(TestConfigs.dev("h1"));
        base = "http://127.0.0.1:" + server.httpPort();
        await().atMost(Duration.ofSeconds(10)).until(() -> put("hang/ready", "yes").equals("true"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aClientThatHangsUpReleasesItsParkedQuery() throws Exception {
        long index = index("hang/a");
        try (Socket client = new Socket("127.0.0.1", server.httpPort())) {
            send(client, "GET /v1/kv/hang/a?index=" + index + "&wait=60s HTTP/1.1\r\nHost: cairn\r\n\r\n");
            await("the query to park").atMost(Duration.ofSeconds(10)).until(() -> parkedQueries() == 1);
        }
        await("the parked query to be released after the client hung up").atMost(Duration.ofSeconds(5))
                .until(() -> parkedQueries() == 0);
    }

    @Test
    void aRequestSentWhileTheFirstIsParkedIsAnsweredAfterIt() throws Exception {
        put("hang/b", "before");
        long index = index("hang/b");
        try (Socket client = new Socket("127.0.0.1", server.httpPort())) {
            send(client, "GET /v1/kv/hang/b?index=" + index + "&wait=60s&raw HTTP/1.1\r\nHost: cairn\r\n\r\n");
            await("the query to park").atMost(Duration.ofSeconds(10)).until(() -> parkedQueries() == 1);
            send(client, "GET /v1/kv/hang/ready?raw HTTP/1.1\r\nHost: cairn\r\n\r\n");
            Thread.sleep(200); // the second request is read (and handed back) while the first is parked
            assertThat(parkedQueries()).as("the first query, still parked").isEqualTo(1);

            put("hang/b", "after");

            client.setSoTimeout(10_000);
            InputStream in = client.getInputStream();
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nafter");
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nyes");
        }
    }

    @Test
    void queryAfterQueryOnOneKeepAliveConnectionHoldsNoMemory() throws Exception {
        // what a consul-template asks for months on one connection; the first 2,000 warm up
        long index = index("hang/ready");
        try (Socket client = new Socket("127.0.0.1", server.httpPort())) {
            client.setSoTimeout(10_000);
            blockingQueries(client, index, 2_000);
            long before = heapUsedAfterGc();
            blockingQueries(client, index, 5_000);
            long grown = heapUsedAfterGc() - before;

            System.out.printf("heap after 5,000 more blocking queries on one connection: %+d KiB%n", grown / 1024);
            assertThat(grown).as("bytes still held, connection open, after 5,000 answered blocking queries")
                    .isLessThan(2L << 20);
        }
    }

    private static void blockingQueries(Socket client, long index, int n) throws IOException {
        InputStream in = client.getInputStream();
        for (int i = 0; i < n; i++) {
            send(client, "GET /v1/kv/hang/ready?index=" + index + "&wait=1ms&raw HTTP/1.1\r\nHost: cairn\r\n\r\n");
            assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
        }
    }

    private static long heapUsedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            Runtime r = Runtime.getRuntime();
            used = Math.min(used, r.totalMemory() - r.freeMemory());
        }
        return used;
    }

    private static void send(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** One response with a Content-Length body, as text. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static String put(String key, String value) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key))
                .PUT(HttpRequest.BodyPublishers.ofString(value)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long index(String key) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key)).build(),
                HttpResponse.BodyHandlers.ofString());
        return Long.parseLong(r.headers().firstValue("X-Consul-Index").orElseThrow());
    }

    private static long parkedQueries() throws Exception {
        JsonNode metrics = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/agent/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode g : metrics.get("Gauges")) {
            if (g.get("Name").asText().equals("consul.rpc.queries_blocking")) {
                return g.get("Value").asLong();
            }
        }
        throw new AssertionError("no consul.rpc.queries_blocking in " + metrics);
    }
}

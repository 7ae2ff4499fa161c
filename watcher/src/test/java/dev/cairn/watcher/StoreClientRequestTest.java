package dev.cairn.watcher;

import com.sun.net.httpserver.HttpServer;
import dev.cairn.template.KvEntry;
import dev.cairn.template.Query;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What goes on the wire: path, blocking parameters, token; against a stub HTTP server. */
class StoreClientRequestTest {

    private HttpServer stub;
    private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws IOException {
        stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/", exchange -> {
            seen.add(exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery())
                    + " token=" + exchange.getRequestHeaders().getFirst("X-Consul-Token"));
            byte[] body = "[{\"Key\":\"a\",\"Value\":\"MQ==\",\"CreateIndex\":4,\"ModifyIndex\":9}]"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("X-Consul-Index", "9");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        stub.start();
    }

    @AfterEach
    void stop() {
        stub.stop(0);
    }

    private StoreClient client(String token) {
        return new StoreClient(URI.create("http://127.0.0.1:" + stub.getAddress().getPort() + "/"), token);
    }

    @Test
    void aNonBlockingFetchSendsNoIndexAndTheToken() throws Exception {
        QueryResult r = client("s3cr3t").fetch(Query.parse("key:a?stale=true")).get(10, TimeUnit.SECONDS);

        assertThat(r).isEqualTo(new QueryResult(List.of(new KvEntry("a", "1", 0, 4, 9)), 9));
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("/v1/kv/a?stale token=s3cr3t");
    }

    @Test
    void aBlockingFetchSendsIndexAndWaitInMilliseconds() throws Exception {
        client(null).fetch(Query.parse("tree:app"), 8, Duration.ofSeconds(55)).get(10, TimeUnit.SECONDS);
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("/v1/kv/app/?recurse&index=8&wait=55000ms token=null");
    }

    @Test
    void datacentersNeverBlock() throws Exception {
        // the stub's answer is KV-shaped: only the request matters here
        client(null).fetch(Query.parse("datacenters:*"), 8, Duration.ofSeconds(55)).get(10, TimeUnit.SECONDS);
        assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("/v1/catalog/datacenters token=null");
    }
}

package dev.cairn.watcher;

import com.sun.net.httpserver.HttpServer;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The loops' wire behaviour against a stub server that never blocks: stale reads, what happens
 * when they are too old, and loops starting and stopping with their subscribers.
 */
class WatchManagerTest {

    private HttpServer stub;
    private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final QueryCache cache = new QueryCache();
    private WatchManager manager;

    @BeforeEach
    void start() throws IOException {
        stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            seen.add(exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query));
            byte[] body = "[{\"Key\":\"a\",\"Value\":\"MQ==\",\"CreateIndex\":4,\"ModifyIndex\":9}]"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("X-Consul-Index", "9");
            // a follower that lost the leader 5 s ago answers stale reads
            boolean stale = query != null && List.of(query.split("&")).contains("stale");
            exchange.getResponseHeaders().add("X-Consul-LastContact", stale ? "5000" : "0");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        stub.start();
        StoreClient client = new StoreClient(URI.create("http://127.0.0.1:" + stub.getAddress().getPort()), null);
        manager = new WatchManager(client, cache, new WatchManager.Settings(Duration.ofSeconds(30),
                Duration.ofSeconds(2), DaemonConfig.Retry.DEFAULT, WatchManager.POLL_INTERVAL), scheduler, m -> { });
    }

    @AfterEach
    void stop() {
        manager.close();
        scheduler.shutdownNow();
        stub.stop(0);
    }

    private static StoreRequest request(String query) {
        return StoreRequest.of(Query.parse(query));
    }

    @Test
    void aStaleAnswerOlderThanMaxStaleIsAskedAgainWithoutStale() throws Exception {
        AtomicInteger changes = new AtomicInteger();
        manager.subscribe(r -> changes.incrementAndGet(), Set.of(request("key:a")));

        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("/v1/kv/a?stale");
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("/v1/kv/a");
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("/v1/kv/a?index=9&wait=30000ms&stale");
        assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("/v1/kv/a?index=9&wait=30000ms");
        assertThat(changes).as("only the consistent answer was used").hasValue(1);
    }

    @Test
    void aServerThatDoesNotBlockIsNotAskedInABusyLoop() {
        manager.subscribe(r -> { }, Set.of(request("key:a")));
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() >= 4);
        long t0 = System.nanoTime();
        int before = seen.size();
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() >= before + 8);
        // 4 rounds of (stale, consistent), each at least MIN_INTERVAL apart
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(WatchManager.MIN_INTERVAL.multipliedBy(3));
    }

    @Test
    void oneLoopPerRequestWhateverTheQueriesAndItStopsWithItsLastSubscriber() {
        WatchManager.Subscriber a = r -> { };
        WatchManager.Subscriber b = r -> { };
        // key:a, key:a?default=x and keyExists:a read the same endpoint
        manager.subscribe(a, new HashSet<>(List.of(request("key:a"), request("keyExists:a"))));
        manager.subscribe(b, new HashSet<>(List.of(request("key:a?default=x"), request("tree:app"))));
        assertThat(manager.loopCount()).isEqualTo(2);

        manager.unsubscribe(a);
        assertThat(manager.loopCount()).isEqualTo(2);
        manager.subscribe(b, Set.of(request("tree:app")));
        assertThat(manager.watched()).containsExactly(request("tree:app"));
        manager.unsubscribe(b);
        assertThat(manager.loopCount()).isZero();
    }
}

package dev.cairn.it;

import com.ecwid.consul.v1.ConsistencyMode;
import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.kv.model.GetBinaryValue;
import com.ecwid.consul.v1.kv.model.GetValue;
import com.ecwid.consul.v1.kv.model.PutParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Ecwid consul-api client (1.4.5, what Spring Cloud Consul 4 uses) against a real server. */
@ExtendWith(CairnProcessExtension.class)
class EcwidCompatIT {

    @TempDir
    static Path dir;
    static CairnProcess server;
    static ConsulClient consul;

    @BeforeAll
    static void start() {
        server = CairnProcess.start(dir);
        consul = new ConsulClient("127.0.0.1", server.httpPort());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void putGetAndDeleteAString() {
        assertThat(consul.setKVValue("ecwid/str", "hello world").getValue()).isTrue();

        Response<GetValue> r = consul.getKVValue("ecwid/str");
        assertThat(r.getValue().getDecodedValue()).isEqualTo("hello world");
        assertThat(r.getValue().getKey()).isEqualTo("ecwid/str");
        assertThat(r.getConsulIndex()).isEqualTo(r.getValue().getModifyIndex());
        assertThat(r.isConsulKnownLeader()).isTrue();
        assertThat(r.getConsulLastContact()).isZero();

        consul.deleteKVValue("ecwid/str");
        Response<GetValue> gone = consul.getKVValue("ecwid/str");
        assertThat(gone.getValue()).isNull();
        assertThat(gone.getConsulIndex()).as("404s carry X-Consul-Index").isNotNull().isPositive();
    }

    @Test
    void putAndGetBinaryWithFlags() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        PutParams flags = new PutParams();
        flags.setFlags(99);

        assertThat(consul.setKVBinaryValue("ecwid/bin", bytes, flags).getValue()).isTrue();

        GetBinaryValue v = consul.getKVBinaryValue("ecwid/bin").getValue();
        assertThat(v.getValue()).isEqualTo(bytes);
        assertThat(v.getFlags()).isEqualTo(99);
    }

    @Test
    void recurseListKeysAndDeleteTree() {
        consul.setKVValue("ecwid/tree/a", "1");
        consul.setKVValue("ecwid/tree/b", "2");
        consul.setKVValue("ecwid/tree/sub/c", "3");

        List<GetValue> values = consul.getKVValues("ecwid/tree/").getValue();
        assertThat(values).extracting(GetValue::getKey)
                .containsExactly("ecwid/tree/a", "ecwid/tree/b", "ecwid/tree/sub/c");
        assertThat(values).extracting(GetValue::getDecodedValue).containsExactly("1", "2", "3");
        assertThat(consul.getKVKeysOnly("ecwid/tree/").getValue())
                .containsExactly("ecwid/tree/a", "ecwid/tree/b", "ecwid/tree/sub/c");
        assertThat(consul.getKVKeysOnly("ecwid/tree/", "/", null).getValue())
                .containsExactly("ecwid/tree/a", "ecwid/tree/b", "ecwid/tree/sub/");

        consul.deleteKVValues("ecwid/tree/");
        assertThat(consul.getKVValues("ecwid/tree/").getValue()).isNull();
    }

    @Test
    void compareAndSet() {
        PutParams create = new PutParams();
        create.setCas(0L);
        assertThat(consul.setKVValue("ecwid/cas", "v1", create).getValue()).isTrue();
        assertThat(consul.setKVValue("ecwid/cas", "again", create).getValue()).isFalse();
        long index = consul.getKVValue("ecwid/cas").getValue().getModifyIndex();

        PutParams stale = new PutParams();
        stale.setCas(index + 1000);
        assertThat(consul.setKVValue("ecwid/cas", "stale", stale).getValue()).isFalse();
        PutParams current = new PutParams();
        current.setCas(index);
        assertThat(consul.setKVValue("ecwid/cas", "v2", current).getValue()).isTrue();

        assertThat(consul.getKVValue("ecwid/cas").getValue().getDecodedValue()).isEqualTo("v2");
    }

    @Test
    void blockingGetReturnsOnAWriteFromAnotherThread() {
        consul.setKVValue("ecwid/watch", "before");
        Response<GetValue> first = consul.getKVValue("ecwid/watch");
        long index = first.getConsulIndex();

        CompletableFuture<Response<GetValue>> watch = CompletableFuture.supplyAsync(
                () -> consul.getKVValue("ecwid/watch", new QueryParams(30, index)));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3)).until(() -> !watch.isDone());
        CompletableFuture.runAsync(() -> consul.setKVValue("ecwid/watch", "after")).join();

        await("the blocking get to return").atMost(Duration.ofSeconds(5)).until(watch::isDone);
        Response<GetValue> changed = watch.join();
        assertThat(changed.getValue().getDecodedValue()).isEqualTo("after");
        assertThat(changed.getConsulIndex()).isGreaterThan(index);
    }

    @Test
    void staleReadsAndABlockingRecurseListAsSpringCloudConsulWatchesConfig() {
        consul.setKVValue("ecwid/config/app/a", "1");
        Response<List<GetValue>> first = consul.getKVValues("ecwid/config/", new QueryParams(ConsistencyMode.STALE));
        assertThat(first.getValue()).extracting(GetValue::getKey).containsExactly("ecwid/config/app/a");
        long index = first.getConsulIndex();

        // Spring Cloud Consul's config watch: getKVValues(prefix, wait=55s&index=N)
        CompletableFuture<Response<List<GetValue>>> watch = CompletableFuture.supplyAsync(
                () -> consul.getKVValues("ecwid/config/", new QueryParams(55, index)));
        CompletableFuture.runAsync(() -> consul.setKVValue("ecwid/config/app/b", "2")).join();

        await("the blocking list to return").atMost(Duration.ofSeconds(5)).until(watch::isDone);
        assertThat(watch.join().getValue()).extracting(GetValue::getKey)
                .containsExactly("ecwid/config/app/a", "ecwid/config/app/b");
        assertThat(watch.join().getConsulIndex()).isGreaterThan(index);
    }

    @Test
    void statusLeaderAndPeers() {
        String self = "127.0.0.1:" + server.raftPort();
        assertThat(consul.getStatusLeader().getValue()).isEqualTo(self);
        assertThat(consul.getStatusPeers().getValue()).containsExactly(self);
    }
}

package dev.cairn.it;

import com.google.common.net.HostAndPort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.KeyValueClient;
import org.kiwiproject.consul.model.ConsulResponse;
import org.kiwiproject.consul.model.kv.ImmutableOperation;
import org.kiwiproject.consul.model.kv.TxResponse;
import org.kiwiproject.consul.model.kv.Value;
import org.kiwiproject.consul.option.ImmutableDeleteOptions;
import org.kiwiproject.consul.option.ImmutablePutOptions;
import org.kiwiproject.consul.option.Options;
import org.kiwiproject.consul.option.QueryOptions;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The kiwiproject consul-client (1.4.0; Retrofit + OkHttp, percent-encodes {@code /} in keys)
 * against a real server.
 */
@ExtendWith(CairnProcessExtension.class)
class KiwiCompatIT {

    @TempDir
    static Path dir;
    static CairnProcess server;
    static Consul consul;
    static KeyValueClient kv;

    @BeforeAll
    static void start() {
        server = CairnProcess.start(dir);
        // the builder pings GET /v1/status/leader
        consul = Consul.builder().withHostAndPort(HostAndPort.fromParts("127.0.0.1", server.httpPort())).build();
        kv = consul.keyValueClient();
    }

    @AfterAll
    static void stop() {
        if (consul != null) {
            consul.destroy();
        }
        server.close();
    }

    @Test
    void putGetAndDeleteAString() {
        assertThat(kv.putValue("kiwi/str", "hello world")).isTrue();

        Optional<Value> v = kv.getValue("kiwi/str");
        assertThat(v).isPresent();
        assertThat(v.get().getKey()).isEqualTo("kiwi/str");
        assertThat(v.get().getValueAsString(StandardCharsets.UTF_8)).contains("hello world");
        assertThat(kv.getValueAsString("kiwi/str", StandardCharsets.UTF_8)).contains("hello world");
        ConsulResponse<Value> response = kv.getConsulResponseWithValue("kiwi/str").orElseThrow();
        assertThat(response.getIndex()).isEqualTo(BigInteger.valueOf(v.get().getModifyIndex()));
        assertThat(response.isKnownLeader()).isTrue();

        kv.deleteKey("kiwi/str");
        assertThat(kv.getValue("kiwi/str")).isEmpty();
    }

    @Test
    void putAndGetBinaryWithFlags() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }

        assertThat(kv.putValue("kiwi/bin", bytes, 7L, Options.BLANK_PUT_OPTIONS)).isTrue();

        Value v = kv.getValue("kiwi/bin").orElseThrow();
        assertThat(v.getValueAsBytes()).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
        assertThat(v.getFlags()).isEqualTo(7L);
    }

    @Test
    void recurseListKeysAndDeleteTree() {
        kv.putValue("kiwi/tree/a", "1");
        kv.putValue("kiwi/tree/b", "2");
        kv.putValue("kiwi/tree/sub/c", "3");

        assertThat(kv.getValues("kiwi/tree/")).extracting(Value::getKey)
                .containsExactly("kiwi/tree/a", "kiwi/tree/b", "kiwi/tree/sub/c");
        assertThat(kv.getValuesAsString("kiwi/tree/", StandardCharsets.UTF_8)).containsExactly("1", "2", "3");
        assertThat(kv.getKeys("kiwi/tree/")).containsExactly("kiwi/tree/a", "kiwi/tree/b", "kiwi/tree/sub/c");
        assertThat(kv.getKeys("kiwi/tree/", "/")).containsExactly("kiwi/tree/a", "kiwi/tree/b", "kiwi/tree/sub/");

        kv.deleteKeys("kiwi/tree/");
        assertThat(kv.getValues("kiwi/tree/")).isEmpty();
        assertThat(kv.getKeys("kiwi/tree/")).isEmpty();
    }

    @Test
    void compareAndSetAndCompareAndDelete() {
        assertThat(kv.putValue("kiwi/cas", "v1", 0L, ImmutablePutOptions.builder().cas(0L).build())).isTrue();
        assertThat(kv.putValue("kiwi/cas", "again", 0L, ImmutablePutOptions.builder().cas(0L).build())).isFalse();
        long index = kv.getValue("kiwi/cas").orElseThrow().getModifyIndex();

        assertThat(kv.putValue("kiwi/cas", "stale", 0L, ImmutablePutOptions.builder().cas(index + 1000).build())).isFalse();
        assertThat(kv.putValue("kiwi/cas", "v2", 0L, ImmutablePutOptions.builder().cas(index).build())).isTrue();
        assertThat(kv.getValueAsString("kiwi/cas", StandardCharsets.UTF_8)).contains("v2");

        long current = kv.getValue("kiwi/cas").orElseThrow().getModifyIndex();
        kv.deleteKey("kiwi/cas", ImmutableDeleteOptions.builder().cas(current + 1000).build());
        assertThat(kv.getValue("kiwi/cas")).isPresent();
        kv.deleteKey("kiwi/cas", ImmutableDeleteOptions.builder().cas(current).build());
        assertThat(kv.getValue("kiwi/cas")).isEmpty();
    }

    @Test
    void transaction() {
        String value = "from txn"; // kiwi's Operation base64-encodes Value itself

        ConsulResponse<TxResponse> r = kv.performTransaction(
                ImmutableOperation.builder().verb("set").key("kiwi/txn/a").value(value).build(),
                ImmutableOperation.builder().verb("set").key("kiwi/txn/b").value(value).flags(3L).build());

        assertThat(r.getResponse().results()).hasSize(2);
        assertThat(kv.getValueAsString("kiwi/txn/a", StandardCharsets.UTF_8)).contains("from txn");
        assertThat(kv.getValue("kiwi/txn/b").orElseThrow().getFlags()).isEqualTo(3L);
    }

    @Test
    void blockingGetReturnsOnAWriteFromAnotherThread() {
        kv.putValue("kiwi/watch", "before");
        BigInteger index = kv.getConsulResponseWithValue("kiwi/watch").orElseThrow().getIndex();

        CompletableFuture<Optional<ConsulResponse<Value>>> watch = CompletableFuture.supplyAsync(
                () -> kv.getConsulResponseWithValue("kiwi/watch", QueryOptions.blockSeconds(30, index).build()));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3)).until(() -> !watch.isDone());
        CompletableFuture.runAsync(() -> kv.putValue("kiwi/watch", "after")).join();

        await("the blocking get to return").atMost(Duration.ofSeconds(5)).until(watch::isDone);
        ConsulResponse<Value> changed = watch.join().orElseThrow();
        assertThat(changed.getResponse().getValueAsString(StandardCharsets.UTF_8)).contains("after");
        assertThat(changed.getIndex()).isGreaterThan(index);
    }

    @Test
    void blockingGetOnAMissingKeyReturnsWhenItIsCreated() {
        kv.putValue("kiwi/elsewhere", "the store is not empty");
        BigInteger index = kv.getConsulResponseWithValues("kiwi/later/").getIndex();
        assertThat(index).isPositive();

        CompletableFuture<List<Value>> watch = CompletableFuture.supplyAsync(
                () -> kv.getValues("kiwi/later/", QueryOptions.blockSeconds(30, index).build()));
        CompletableFuture.runAsync(() -> kv.putValue("kiwi/later/x", "here")).join();

        await("the blocking list to return").atMost(Duration.ofSeconds(5)).until(watch::isDone);
        assertThat(watch.join()).extracting(Value::getKey).containsExactly("kiwi/later/x");
    }

    @Test
    void statusLeaderAndPeers() {
        String self = "127.0.0.1:" + server.raftPort();
        assertThat(consul.statusClient().getLeader()).isEqualTo(self);
        assertThat(consul.statusClient().getPeers()).containsExactly(self);
    }
}

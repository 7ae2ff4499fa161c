package dev.cairn.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.HostAndPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.async.Callback;
import org.kiwiproject.consul.option.QueryOptions;

import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Backups end to end: {@code cairn snapshot save} and {@code restore} as real processes against a
 * real {@code cairn server}. A restore brings the saved state back in every table, wakes queries
 * parked on what it changed with a higher index, and is durable across a restart; a damaged file
 * is refused with a 400 and changes nothing.
 */
@ExtendWith(CairnProcessExtension.class)
class SnapshotIT {

    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(90);

    @Test
    void aRestoreBringsTheSavedStateBackWakesParkedQueriesAndSurvivesARestart(@TempDir Path dir) throws Exception {
        try (CairnProcess server = CairnProcess.start(dir.resolve("server"))) {
            Http http = server.http();
            http.set("app/config", "v1");
            http.set("app/keep", "kept");
            register(http, "db1", "db");
            Path backup = dir.resolve("backup.snap");

            Cli save = cairn(server, dir, "save", backup);
            assertThat(save.exitCode()).as(save.output()).isZero();
            assertThat(save.output()).startsWith("Saved and verified snapshot to index ");

            http.set("app/config", "v2");
            http.delete("/v1/kv/app/keep");
            http.set("app/extra", "x");
            assertThat(http.put("/v1/catalog/deregister", "{\"Node\":\"db1\"}").status()).isEqualTo(200);
            long kvIndex = http.get("/v1/kv/app/config").index();
            long dbIndex = http.get("/v1/catalog/service/db").index();
            CompletableFuture<Http.Response> parkedKv =
                    http.getAsync("/v1/kv/app/config?index=" + kvIndex + "&wait=60s", CLIENT_TIMEOUT);
            CompletableFuture<Http.Response> parkedDb =
                    http.getAsync("/v1/catalog/service/db?index=" + dbIndex + "&wait=60s", CLIENT_TIMEOUT);
            await("both queries parked").atMost(Duration.ofSeconds(10)).until(() -> http.parkedQueries() >= 2);

            Cli restore = cairn(server, dir, "restore", backup);
            assertThat(restore.exitCode()).as(restore.output()).isZero();
            assertThat(restore.output()).isEqualTo("Restored snapshot\n");

            Http.Response wokenKv = parkedKv.get(10, TimeUnit.SECONDS);
            assertThat(wokenKv.value()).isEqualTo("v1");
            assertThat(wokenKv.index()).isGreaterThan(kvIndex);
            Http.Response wokenDb = parkedDb.get(10, TimeUnit.SECONDS);
            assertThat(wokenDb.json()).hasSize(1);
            assertThat(wokenDb.json().get(0).get("Node").asText()).isEqualTo("db1");
            assertThat(wokenDb.index()).isGreaterThan(dbIndex);
            assertRestored(http, wokenKv.index());

            assertThat(server.stop()).isIn(0, 143);
            server.restart();
            assertRestored(http, wokenKv.index());
            http.set("app/after", "restart");
            assertThat(http.modifyIndexOf("app/after")).isGreaterThan(wokenKv.index());
        }
    }

    @Test
    void theHttpApiAnswersAGzippedArchiveAndRefusesDamagedOnesWith400(@TempDir Path dir) {
        try (CairnProcess server = CairnProcess.start(dir.resolve("server"))) {
            Http http = server.http();
            http.set("k", "saved");
            Http.Response saved = http.get("/v1/snapshot?stale");
            assertThat(saved.status()).isEqualTo(200);
            assertThat(saved.header("Content-Type")).isEqualTo("application/octet-stream");
            assertThat(saved.index()).isGreaterThanOrEqualTo(http.modifyIndexOf("k"));
            assertThat(saved.bytes()[0] & 0xff).as("gzip magic").isEqualTo(0x1f);
            assertThat(saved.bytes()[1] & 0xff).isEqualTo(0x8b);
            http.set("k", "current");
            long index = http.get("/v1/kv/k").index();

            byte[] truncated = java.util.Arrays.copyOf(saved.bytes(), saved.bytes().length - 10);
            Http.Response r1 = http.put("/v1/snapshot", truncated);
            byte[] flipped = saved.bytes().clone();
            flipped[flipped.length / 2] ^= 0x01;
            Http.Response r2 = http.put("/v1/snapshot", flipped);
            Http.Response r3 = http.put("/v1/snapshot", "not a snapshot");

            assertThat(r1.status()).isEqualTo(400);
            assertThat(r1.body()).isEqualTo("snapshot is truncated");
            assertThat(r2.status()).isEqualTo(400);
            assertThat(r2.body()).startsWith("snapshot is corrupt");
            assertThat(r3.status()).isEqualTo(400);
            assertThat(r3.body()).startsWith("snapshot is not a gzip archive");
            assertThat(http.get("/v1/kv/k").value()).isEqualTo("current");
            assertThat(http.get("/v1/kv/k").index()).isEqualTo(index);

            Http.Response ok = http.put("/v1/snapshot", saved.bytes());
            assertThat(ok.status()).as("%s", ok).isEqualTo(200);
            assertThat(http.get("/v1/kv/k").value()).isEqualTo("saved");
        }
    }

    @Test
    void kiwisSnapshotClientSavesAndRestores(@TempDir Path dir) throws Exception {
        try (CairnProcess server = CairnProcess.start(dir.resolve("server"))) {
            Http http = server.http();
            http.set("kiwi/k", "saved");
            Consul consul = Consul.builder()
                    .withHostAndPort(HostAndPort.fromParts("127.0.0.1", server.httpPort())).build();
            try {
                File file = dir.resolve("kiwi.snap").toFile();
                CompletableFuture<BigInteger> saved = new CompletableFuture<>();
                consul.snapshotClient().save(file, QueryOptions.BLANK, callback(saved));
                assertThat(saved.get(30, TimeUnit.SECONDS).longValue()).isGreaterThanOrEqualTo(http.modifyIndexOf("kiwi/k"));
                http.set("kiwi/k", "changed");

                CompletableFuture<Void> restored = new CompletableFuture<>();
                consul.snapshotClient().restore(file, QueryOptions.BLANK, callback(restored));
                restored.get(30, TimeUnit.SECONDS);

                assertThat(http.get("/v1/kv/kiwi/k").value()).isEqualTo("saved");
            } finally {
                consul.destroy();
            }
        }
    }

    private static <T> Callback<T> callback(CompletableFuture<T> future) {
        return new Callback<>() {
            @Override
            public void onResponse(T value) {
                future.complete(value);
            }

            @Override
            public void onFailure(Throwable error) {
                future.completeExceptionally(error);
            }
        };
    }

    private static void assertRestored(Http http, long restoredIndex) {
        Http.Response config = http.get("/v1/kv/app/config");
        assertThat(config.value()).isEqualTo("v1");
        assertThat(config.index()).isGreaterThanOrEqualTo(restoredIndex);
        assertThat(http.get("/v1/kv/app/keep").value()).isEqualTo("kept");
        Http.Response extra = http.get("/v1/kv/app/extra");
        assertThat(extra.status()).isEqualTo(404);
        assertThat(extra.index()).isGreaterThanOrEqualTo(restoredIndex);
        JsonNode db = http.get("/v1/catalog/service/db").json();
        assertThat(db).hasSize(1);
    }

    private static void register(Http http, String node, String service) {
        Http.Response r = http.put("/v1/catalog/register", "{\"Node\":\"" + node + "\",\"Address\":\"10.0.0.5\","
                + "\"Service\":{\"Service\":\"" + service + "\",\"Port\":5432}}");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
    }

    /** A finished {@code cairn} command: exit code and its stdout and stderr together. */
    private record Cli(int exitCode, String output) {
    }

    /** {@code cairn snapshot SUBCOMMAND -http-addr ... FILE} as a real process. */
    private static Cli cairn(CairnProcess server, Path dir, String subcommand, Path file)
            throws IOException, InterruptedException {
        List<String> cmd = List.of(CairnProcess.javaBinary(), "-Xmx256m", "-jar", CairnProcess.jar().toString(),
                "snapshot", subcommand, "-http-addr", "127.0.0.1:" + server.httpPort(), file.toString());
        Path log = Files.createTempFile(dir, "cli-", ".log");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish: " + Files.readString(log));
        }
        return new Cli(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}

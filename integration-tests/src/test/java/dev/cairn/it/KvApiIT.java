package dev.cairn.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Consul KV, txn and status API conformance (CONSUL-API.md sections 1-4, 9, 12) over real HTTP. */
@ExtendWith(CairnProcessExtension.class)
class KvApiIT {

    @TempDir
    static Path dir;
    static CairnProcess server;
    static Http http;

    @BeforeAll
    static void start() {
        server = CairnProcess.start(dir);
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void missingKeyIs404WithBlockingHeaders() {
        Http.Response r = http.get("/v1/kv/kvapi/never-written");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.bytes()).isEmpty();
        assertThat(r.index()).isGreaterThanOrEqualTo(1);
        assertThat(r.header("X-Consul-Knownleader")).isEqualTo("true");
        assertThat(r.header("X-Consul-Lastcontact")).isEqualTo("0");
    }

    @Test
    void plainGetReturnsOneEntryWithConsulFields() {
        http.set("kvapi/entry", "hello");

        Http.Response r = http.get("/v1/kv/kvapi/entry");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode e = r.json().get(0);
        assertThat(r.json()).hasSize(1);
        assertThat(e.get("Key").asText()).isEqualTo("kvapi/entry");
        assertThat(r.value()).isEqualTo("hello");
        assertThat(e.get("Flags").asLong()).isZero();
        assertThat(e.get("LockIndex").asLong()).isZero();
        assertThat(e.has("Session")).as("Session is omitted when no lock is held").isFalse();
        assertThat(e.get("CreateIndex").asLong()).isPositive().isEqualTo(e.get("ModifyIndex").asLong());
        assertThat(r.index()).isEqualTo(e.get("ModifyIndex").asLong());
    }

    @Test
    void recurseListsEveryKeyWithThePrefixAsAPlainString() {
        http.set("rec/a", "1");
        http.set("rec/b", "2");
        http.set("rec/c/d", "3");
        http.set("recx", "outside the path, inside the string prefix");

        Http.Response r = http.get("/v1/kv/rec/?recurse");

        assertThat(r.status()).isEqualTo(200);
        assertThat(keysOf(r.json())).containsExactly("rec/a", "rec/b", "rec/c/d");
        assertThat(r.index()).isEqualTo(http.modifyIndexOf("rec/c/d"));
        assertThat(keysOf(http.get("/v1/kv/rec?recurse").json())).containsExactly("rec/a", "rec/b", "rec/c/d", "recx");
        assertThat(http.get("/v1/kv/rec-nothing/?recurse").status()).isEqualTo(404);
    }

    @Test
    void keysWithSeparatorStopAtTheFirstSeparatorAfterThePrefix() {
        http.set("web/bar", "b");
        http.set("web/foo", "f");
        http.set("web/subdir/x", "x");
        http.set("web/subdir/y", "y");

        Http.Response r = http.get("/v1/kv/web/?keys&separator=/");

        assertThat(r.status()).isEqualTo(200);
        assertThat(strings(r.json())).containsExactly("web/bar", "web/foo", "web/subdir/");
        assertThat(strings(http.get("/v1/kv/web/?keys").json()))
                .containsExactly("web/bar", "web/foo", "web/subdir/x", "web/subdir/y");
        assertThat(http.get("/v1/kv/no-such-prefix/?keys").status()).isEqualTo(404);
    }

    @Test
    void rawReturnsTheBytesAsPlainText() {
        http.set("kvapi/raw", "plain <b>bytes</b>");

        Http.Response r = http.get("/v1/kv/kvapi/raw?raw");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.body()).isEqualTo("plain <b>bytes</b>");
    }

    @Test
    void casZeroOnlyCreates() {
        assertThat(http.put("/v1/kv/kvapi/cas0?cas=0", "first").body()).isEqualTo("true");
        assertThat(http.put("/v1/kv/kvapi/cas0?cas=0", "second").body()).isEqualTo("false");
        assertThat(http.get("/v1/kv/kvapi/cas0").value()).isEqualTo("first");
    }

    @Test
    void casWritesOnlyOnAMatchingModifyIndex() {
        http.set("kvapi/cas", "v1");
        long index = http.modifyIndexOf("kvapi/cas");

        assertThat(http.put("/v1/kv/kvapi/cas?cas=" + (index + 1000), "wrong").body()).isEqualTo("false");
        assertThat(http.get("/v1/kv/kvapi/cas").value()).isEqualTo("v1");
        assertThat(http.put("/v1/kv/kvapi/cas?cas=" + index, "v2").body()).isEqualTo("true");
        assertThat(http.get("/v1/kv/kvapi/cas").value()).isEqualTo("v2");
        assertThat(http.modifyIndexOf("kvapi/cas")).isGreaterThan(index);
    }

    @Test
    void flagsRoundTripAsUnsigned64BitNumbers() {
        http.put("/v1/kv/kvapi/flags?flags=42", "x");
        http.put("/v1/kv/kvapi/flags-max?flags=18446744073709551615", "x");

        assertThat(http.get("/v1/kv/kvapi/flags").json().get(0).get("Flags").asLong()).isEqualTo(42);
        assertThat(http.get("/v1/kv/kvapi/flags-max").json().get(0).get("Flags").asText())
                .isEqualTo("18446744073709551615");
        assertThat(http.put("/v1/kv/kvapi/flags-bad?flags=-1", "x").status()).isEqualTo(400);
    }

    @Test
    void deleteRecurseRemovesThePrefixOnly() {
        http.set("del/a", "1");
        http.set("del/b/c", "2");
        http.set("delx", "keep");

        Http.Response r = http.delete("/v1/kv/del/?recurse");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("true");
        assertThat(http.get("/v1/kv/del/?recurse").status()).isEqualTo(404);
        assertThat(http.get("/v1/kv/delx").status()).isEqualTo(200);
    }

    @Test
    void deleteCasDeletesOnlyOnAMatchingIndex() {
        http.set("kvapi/delcas", "v");
        long index = http.modifyIndexOf("kvapi/delcas");

        assertThat(http.delete("/v1/kv/kvapi/delcas?cas=" + (index + 1000)).body()).isEqualTo("false");
        assertThat(http.delete("/v1/kv/kvapi/delcas?cas=0").body()).isEqualTo("false");
        assertThat(http.get("/v1/kv/kvapi/delcas").status()).isEqualTo(200);
        assertThat(http.delete("/v1/kv/kvapi/delcas?cas=" + index).body()).isEqualTo("true");
        assertThat(http.get("/v1/kv/kvapi/delcas").status()).isEqualTo(404);
    }

    @Test
    void percentEncodedSlashReachesTheSameKey() {
        assertThat(http.put("/v1/kv/enc%2Fa%2Fb", "encoded").body()).isEqualTo("true");

        assertThat(http.get("/v1/kv/enc/a/b").value()).isEqualTo("encoded");
        assertThat(http.get("/v1/kv/enc%2Fa%2Fb").json().get(0).get("Key").asText()).isEqualTo("enc/a/b");
    }

    @Test
    void presenceFlagsAreTrueWhateverTheirValue() {
        http.set("flag/a", "1");
        http.set("flag/b", "2");

        assertThat(keysOf(http.get("/v1/kv/flag/?recurse=false").json())).containsExactly("flag/a", "flag/b");
        assertThat(keysOf(http.get("/v1/kv/flag/?recurse=0").json())).containsExactly("flag/a", "flag/b");
        assertThat(strings(http.get("/v1/kv/flag/?keys=false").json())).containsExactly("flag/a", "flag/b");
        assertThat(http.get("/v1/kv/flag/a?raw=false").body()).isEqualTo("1");
        assertThat(http.get("/v1/kv/flag/a?stale=false").status()).isEqualTo(200);
    }

    @Test
    void wrongMethodIs405WithAllowHeader() {
        Http.Response r = http.send("POST", "/v1/kv/kvapi/x", "v".getBytes(StandardCharsets.UTF_8));

        assertThat(r.status()).isEqualTo(405);
        assertThat(Arrays.asList(r.header("Allow").split("\\s*,\\s*"))).contains("GET", "PUT", "DELETE");
        assertThat(r.body()).isEqualTo("method POST not allowed");
        assertThat(http.get("/v1/kv/kvapi/x").status()).as("nothing written").isEqualTo(404);

        Http.Response txn = http.get("/v1/txn");
        assertThat(txn.status()).isEqualTo(405);
        assertThat(txn.header("Allow")).contains("PUT").doesNotContain("GET");
    }

    @Test
    void badParametersAre400WithConsulsMessages() {
        assertBadRequest(http.get("/v1/kv/a?index=abc"), "Invalid index");
        assertBadRequest(http.get("/v1/kv/a?index=1&wait=soon"), "Invalid wait time");
        assertBadRequest(http.get("/v1/kv/"), "Missing key name");
        assertBadRequest(http.put("/v1/kv/", "x"), "Missing key name");
        assertBadRequest(http.delete("/v1/kv/"), "Missing key name");
        assertBadRequest(http.put("/v1/kv/kvapi/conflict?cas=0&acquire=abc", "x"), "Conflicting flags");
        assertBadRequest(http.put("/v1/kv/kvapi/conflict?acquire=abc&release=abc", "x"), "Conflicting flags");
        assertBadRequest(http.delete("/v1/kv/kvapi/conflict?recurse&cas=1"), "Conflicting flags");
        assertBadRequest(http.get("/v1/kv/a?stale&consistent"), "Cannot specify ?stale with ?consistent");

        Http.Response dc = http.get("/v1/kv/a?dc=nowhere");
        assertThat(dc.status()).isBetween(400, 499);
        assertThat(dc.body()).contains("nowhere");
        assertThat(http.put("/v1/kv/kvapi/dc-write?dc=nowhere", "x").status()).isBetween(400, 499);
        assertThat(http.get("/v1/kv/kvapi/dc-write").status()).isEqualTo(404);
        assertThat(http.get("/v1/kv/kvapi/missing?dc=dc1").status()).as("own dc is fine").isEqualTo(404);
    }

    @Test
    void valueOverTheLimitIs413AndNotWritten() {
        byte[] big = new byte[600 * 1024];
        Arrays.fill(big, (byte) 'a');

        Http.Response r = http.put("/v1/kv/kvapi/too-big", big);

        assertThat(r.status()).isEqualTo(413);
        assertThat(http.get("/v1/kv/kvapi/too-big").status()).isEqualTo(404);
        byte[] atLimit = new byte[512 * 1024];
        assertThat(http.put("/v1/kv/kvapi/at-limit", atLimit).body()).isEqualTo("true");
        assertThat(http.get("/v1/kv/kvapi/at-limit?raw").bytes()).hasSize(512 * 1024);
    }

    @Test
    void txnCommitsAllOperations() {
        String body = "[" + op("set", "txn/a", "one") + "," + op("set", "txn/b", "two") + ","
                + "{\"KV\":{\"Verb\":\"get\",\"Key\":\"txn/a\"}}]";

        Http.Response r = http.put("/v1/txn", body);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode results = r.json().get("Results");
        assertThat(results).hasSize(3);
        assertThat(results.get(0).get("KV").get("Key").asText()).isEqualTo("txn/a");
        assertThat(results.get(0).get("KV").get("Value").isNull()).as("set returns no value").isTrue();
        assertThat(decode(results.get(2).get("KV").get("Value").asText())).isEqualTo("one");
        long index = results.get(0).get("KV").get("ModifyIndex").asLong();
        assertThat(results.get(1).get("KV").get("ModifyIndex").asLong()).as("one entry, one index").isEqualTo(index);
        assertThat(r.json().get("Errors").isNull() || r.json().get("Errors").isEmpty()).isTrue();
        assertThat(http.get("/v1/kv/txn/a").value()).isEqualTo("one");
        assertThat(http.get("/v1/kv/txn/b").value()).isEqualTo("two");
    }

    @Test
    void txnRollsBackOnAFailedOperationWith409() {
        http.set("txnfail/existing", "keep");
        String body = "[" + op("set", "txnfail/new", "x") + ","
                + "{\"KV\":{\"Verb\":\"cas\",\"Key\":\"txnfail/existing\",\"Value\":\"eA==\",\"Index\":999999999}}]";

        Http.Response r = http.put("/v1/txn", body);

        assertThat(r.status()).as(r.toString()).isEqualTo(409);
        JsonNode errors = r.json().get("Errors");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("OpIndex").asInt()).isEqualTo(1);
        assertThat(errors.get(0).get("What").asText()).isNotBlank();
        assertThat(http.get("/v1/kv/txnfail/new").status()).as("first op rolled back").isEqualTo(404);
        assertThat(http.get("/v1/kv/txnfail/existing").value()).isEqualTo("keep");
    }

    @Test
    void malformedTxnIs400AndWritesNothing() {
        Http.Response r = http.put("/v1/txn", "[" + op("set", "txnbad/a", "x") + ", {\"KV\": {");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).isNotBlank();
        assertThat(http.get("/v1/kv/txnbad/a").status()).isEqualTo(404);
        assertThat(http.put("/v1/txn", "{\"KV\":{}}").status()).as("not an array").isEqualTo(400);
    }

    @Test
    void txnOfMoreThan128OperationsIs413AndWritesNothing() {
        Http.Response tooMany = http.put("/v1/txn", ops("txnbig/over", 129));
        assertThat(tooMany.status()).isEqualTo(413);
        assertThat(http.get("/v1/kv/txnbig/over/?keys").status()).isEqualTo(404);

        Http.Response atLimit = http.put("/v1/txn", ops("txnbig/at", 128));
        assertThat(atLimit.status()).as(atLimit.toString()).isEqualTo(200);
        assertThat(http.get("/v1/kv/txnbig/at/?keys").json()).hasSize(128);
    }

    @Test
    void statusNamesThisServersRaftAddress() {
        String self = "127.0.0.1:" + server.raftPort();

        Http.Response leader = http.get("/v1/status/leader");
        assertThat(leader.status()).isEqualTo(200);
        assertThat(leader.json().asText()).isEqualTo(self);
        Http.Response peers = http.get("/v1/status/peers");
        assertThat(peers.status()).isEqualTo(200);
        assertThat(strings(peers.json())).containsExactly(self);
    }

    // ------------------------------------------------------------------ helpers

    private static void assertBadRequest(Http.Response r, String message) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.body()).startsWith(message);
    }

    private static List<String> keysOf(JsonNode entries) {
        List<String> keys = new ArrayList<>();
        entries.forEach(e -> keys.add(e.get("Key").asText()));
        return keys;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }

    static String op(String verb, String key, String value) {
        ObjectNode kv = Http.JSON.createObjectNode();
        kv.put("Verb", verb).put("Key", key)
                .put("Value", Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
        return Http.JSON.createObjectNode().set("KV", kv).toString();
    }

    static String ops(String prefix, int n) {
        ArrayNode array = Http.JSON.createArrayNode();
        for (int i = 0; i < n; i++) {
            ObjectNode kv = Http.JSON.createObjectNode().put("Verb", "set").put("Key", prefix + "/" + i)
                    .put("Value", Base64.getEncoder().encodeToString(("v" + i).getBytes(StandardCharsets.UTF_8)));
            array.add(Http.JSON.createObjectNode().set("KV", kv));
        }
        return array.toString();
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}

package dev.cairn.cli;

import dev.cairn.store.kv.KvEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cairn kv export} and {@code import}: Consul's JSON format, a lossless round trip, all-or-nothing validation. */
class KvExportImportTest extends ServerTestBase {

    @Test
    void exportPrintsConsulsIndentedJson() {
        cairn("kv", "put", "-flags", "42", p + "a", "hello");
        cairn("kv", "put", p + "b<&>", "");

        Cli.Result export = cairn("kv", "export", p);

        assertThat(export.exitCode()).isZero();
        assertThat(export.out()).isEqualTo("[\n"
                + "\t{\n\t\t\"key\": \"" + p + "a\",\n\t\t\"flags\": 42,\n\t\t\"value\": \"aGVsbG8=\"\n\t},\n"
                + "\t{\n\t\t\"key\": \"" + p + "b\\u003c\\u0026\\u003e\",\n\t\t\"flags\": 0,\n\t\t\"value\": \"\"\n\t}\n"
                + "]\n");
    }

    @Test
    void exportOfAnEmptyPrefixIsAnEmptyArray() {
        Cli.Result export = cairn("kv", "export", p);

        assertThat(export.exitCode()).isZero();
        assertThat(export.out()).isEqualTo("[]\n");
    }

    @Test
    void exportDeleteImportRestoresIdenticalValuesAndFlags(@TempDir Path dir) throws Exception {
        byte[] binary = {0, (byte) 0xff, 10, 13, (byte) 0x80};
        Files.write(dir.resolve("bin"), binary);
        cairn("kv", "put", p + "text", "some text");
        cairn("kv", "put", "-flags", "7", p + "dir/bin", "@" + dir.resolve("bin"));
        cairn("kv", "put", "-flags", "18446744073709551615", p + "dir/maxflags", "m");
        cairn("kv", "put", p + "empty");
        cairn("kv", "put", p + "unicode \u00e9\u4e2d", "\u00e9\u4e2d\ud83d\ude00");
        List<KvEntry> before = storedUnder(p);
        assertThat(before).hasSize(5);

        Cli.Result export = cairn("kv", "export", p);
        Files.write(dir.resolve("export.json"), export.stdout());
        assertThat(cairn("kv", "delete", "-recurse", p).exitCode()).isZero();
        assertThat(storedUnder(p)).isEmpty();
        Cli.Result imported = cairn("kv", "import", "@" + dir.resolve("export.json"));

        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        assertThat(imported.out()).isEqualTo(before.stream().map(e -> "Imported: " + e.key() + "\n")
                .collect(Collectors.joining()));
        assertThat(summary(storedUnder(p))).isEqualTo(summary(before));
    }

    @Test
    void importWritesInTransactionsOfAtMost64Keys() {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 150; i++) {
            json.append(i == 0 ? "" : ",").append("{\"key\":\"").append(p).append(String.format("k%03d", i))
                    .append("\",\"flags\":").append(i).append(",\"value\":\"dg==\"}");
        }
        Cli.Result imported = cairnWithStdin(json.append(']').toString().getBytes(StandardCharsets.UTF_8),
                "kv", "import", "-");

        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        List<KvEntry> entries = storedUnder(p);
        assertThat(entries).hasSize(150);
        assertThat(entries.get(149).flags()).isEqualTo(149);
        // keys written by one transaction share its Raft index: 64 + 64 + 22
        assertThat(entries.stream().collect(Collectors.groupingBy(KvEntry::modifyIndex, Collectors.counting()))
                .values()).containsExactlyInAnyOrder(64L, 64L, 22L);
    }

    @Test
    void aValueTooBigForATransactionIsWrittenOnItsOwn() {
        byte[] big = new byte[450 * 1024];
        Arrays.fill(big, (byte) 'x');
        String b64 = java.util.Base64.getEncoder().encodeToString(big);
        String json = "[{\"key\":\"" + p + "a\",\"value\":\"YQ==\"},{\"key\":\"" + p + "big\",\"value\":\"" + b64
                + "\"},{\"key\":\"" + p + "c\",\"value\":\"Yw==\"}]";

        Cli.Result imported = cairnWithStdin(json.getBytes(StandardCharsets.US_ASCII), "kv", "import", "-");

        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        assertThat(imported.out()).isEqualTo("Imported: " + p + "a\nImported: " + p + "big\nImported: " + p + "c\n");
        assertThat(stored(p + "big").orElseThrow().value()).isEqualTo(big);
        assertThat(stored(p + "c")).isPresent();
    }

    @Test
    void importAcceptsJsonInlineWithAPrefixAndAnyFieldCase() {
        Cli.Result imported = cairn("kv", "import", "-prefix", p,
                "[{\"Key\":\"x\",\"Flags\":3,\"Value\":\"eA==\",\"namespace\":\"ignored\"},{\"key\":\"y\"}]");

        assertThat(imported.exitCode()).as(imported.toString()).isZero();
        assertThat(imported.out()).isEqualTo("Imported: " + p + "x\nImported: " + p + "y\n");
        assertThat(stored(p + "x").orElseThrow().flags()).isEqualTo(3);
        assertThat(stored(p + "y").orElseThrow().value()).isEmpty();
    }

    @Test
    void malformedImportWritesNothing() {
        String good = "{\"key\":\"" + p + "ok\",\"flags\":0,\"value\":\"dg==\"}";
        String[] bad = {
                "[" + good + ",",                                                    // truncated
                "[" + good + "] trailing",                                           // junk after the array
                "{\"key\":\"" + p + "ok\"}",                                         // not an array
                "[" + good + ",42]",                                                 // not an object
                "[" + good + ",{\"flags\":1}]",                                      // no key
                "[" + good + ",{\"key\":\"" + p + "f\",\"flags\":-1}]",              // negative flags
                "[" + good + ",{\"key\":\"" + p + "f\",\"flags\":\"1\"}]",           // flags not a number
                "[" + good + ",{\"key\":\"" + p + "v\",\"value\":\"not base64!\"}]", // bad base64
                "[" + good + ",{\"key\":\"/" + p + "s\"}]",                          // leading slash
        };
        for (String data : bad) {
            Cli.Result imported = cairn("kv", "import", data);

            assertThat(imported.exitCode()).as(data).isEqualTo(1);
            assertThat(imported.stderr()).as(data).isNotBlank().doesNotContain("Exception")
                    .satisfies(err -> assertThat(err.strip()).doesNotContain("\n"));
            assertThat(imported.out()).as(data).isEmpty();
            assertThat(storedUnder(p)).as(data).isEmpty();
            assertThat(stored("/" + p + "s")).isEmpty();
        }
    }

    @Test
    void importNeedsData() {
        assertThat(cairn("kv", "import").exitCode()).isEqualTo(2);
        assertThat(cairn("kv", "import", "").exitCode()).isEqualTo(2);
        assertThat(cairn("kv", "import", "@/nonexistent.json").stderr())
                .startsWith("Error! Failed to read file: /nonexistent.json");
    }

    /** key, flags and value of each entry, comparable across a delete and re-import. */
    private static List<String> summary(List<KvEntry> entries) {
        return entries.stream().map(e -> e.key() + " " + Long.toUnsignedString(e.flags()) + " "
                + Arrays.toString(e.value())).toList();
    }
}

package dev.cairn.cli;

import dev.cairn.store.kv.KvEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cairn kv put} and {@code cairn kv get}, against a real server, output as consul kv prints it. */
class KvPutGetTest extends ServerTestBase {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] withNewline(byte[] b) {
        byte[] out = Arrays.copyOf(b, b.length + 1);
        out[b.length] = '\n';
        return out;
    }

    @Test
    void putThenGetPrintsTheValueAndANewline() {
        Cli.Result put = cairn("kv", "put", p + "max", "100");
        assertThat(put.exitCode()).as(put.toString()).isZero();
        assertThat(put.out()).isEqualTo("Success! Data written to: " + p + "max\n");
        assertThat(stored(p + "max").orElseThrow().value()).isEqualTo(utf8("100"));

        Cli.Result get = cairn("kv", "get", p + "max");
        assertThat(get.exitCode()).isZero();
        assertThat(get.out()).isEqualTo("100\n");
        assertThat(get.stderr()).isEmpty();
    }

    @Test
    void putFromAFileStoresItsBytesExactly(@TempDir Path dir) throws Exception {
        byte[] binary = {0, 1, 2, (byte) 0xff, (byte) 0xfe, '\n', '\r', 'a', (byte) 0x80, 0};
        Path file = dir.resolve("blob.bin");
        Files.write(file, binary);

        assertThat(cairn("kv", "put", p + "blob", "@" + file).exitCode()).isZero();

        assertThat(stored(p + "blob").orElseThrow().value()).isEqualTo(binary);
        assertThat(cairn("kv", "get", p + "blob").stdout()).isEqualTo(withNewline(binary));
    }

    @Test
    void putDashReadsStdin() {
        byte[] data = utf8("line one\nline two\n\u00e9\u00e8");
        Cli.Result put = cairnWithStdin(data, "kv", "put", p + "stdin", "-");

        assertThat(put.exitCode()).as(put.toString()).isZero();
        assertThat(stored(p + "stdin").orElseThrow().value()).isEqualTo(data);
        assertThat(cairn("kv", "get", p + "stdin").stdout()).isEqualTo(withNewline(data));
    }

    @Test
    void putWithoutAValueStoresAnEmptyValue() {
        assertThat(cairn("kv", "put", p + "empty").exitCode()).isZero();

        assertThat(stored(p + "empty").orElseThrow().value()).isEmpty();
        assertThat(cairn("kv", "get", p + "empty").out()).isEqualTo("\n");
    }

    @Test
    void aValueStartingWithADashIsAValueNotAFlag() {
        Cli.Result put = cairn("kv", "put", p + "neg", "-5");

        assertThat(put.exitCode()).as(put.toString()).isZero();
        assertThat(stored(p + "neg").orElseThrow().value()).isEqualTo(utf8("-5"));
    }

    @Test
    void aMissingFileIsAnErrorAndWritesNothing() {
        Cli.Result put = cairn("kv", "put", p + "x", "@/nonexistent/file");

        assertThat(put.exitCode()).isEqualTo(1);
        assertThat(put.stderr()).startsWith("Error! Failed to read file: /nonexistent/file");
        assertThat(stored(p + "x")).isEmpty();
    }

    @Test
    void base64InAndOut() {
        byte[] raw = {(byte) 0xde, (byte) 0xad, 0, (byte) 0xbe, (byte) 0xef};
        assertThat(cairn("kv", "put", "-base64", p + "b", "3q0Avu8=").exitCode()).isZero();

        assertThat(stored(p + "b").orElseThrow().value()).isEqualTo(raw);
        assertThat(cairn("kv", "get", "-base64", p + "b").out()).isEqualTo("3q0Avu8=\n");
        assertThat(cairn("kv", "put", "-base64", p + "bad", "not base64!").exitCode()).isEqualTo(1);
        assertThat(stored(p + "bad")).isEmpty();
    }

    @Test
    void getOfAMissingKeyFailsWithConsulsMessage() {
        Cli.Result get = cairn("kv", "get", p + "nope");

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.stderr()).isEqualTo("Error! No key exists at: " + p + "nope\n");
        assertThat(get.stdout()).isEmpty();
    }

    @Test
    void recursePrintsKeyColonValueLinesInKeyOrder() {
        cairn("kv", "put", p + "b/c", "two");
        cairn("kv", "put", p + "a", "one");
        cairn("kv", "put", p + "b/d/e", "three");

        Cli.Result get = cairn("kv", "get", "-recurse", p);

        assertThat(get.exitCode()).isZero();
        assertThat(get.out()).isEqualTo(p + "a:one\n" + p + "b/c:two\n" + p + "b/d/e:three\n");
    }

    @Test
    void keysListsOneLevelWithTheDefaultSeparator() {
        cairn("kv", "put", p + "a", "1");
        cairn("kv", "put", p + "dir/x", "2");
        cairn("kv", "put", p + "dir/y/z", "3");

        assertThat(cairn("kv", "get", "-keys", p).out()).isEqualTo(p + "a\n" + p + "dir/\n");
        assertThat(cairn("kv", "get", "-keys", "-separator", "", p).out())
                .isEqualTo(p + "a\n" + p + "dir/x\n" + p + "dir/y/z\n");
        assertThat(cairn("kv", "get", "-keys", "-recurse", p + "dir/").out())
                .isEqualTo(p + "dir/x\n" + p + "dir/y/z\n");
    }

    @Test
    void listingAnEmptyPrefixPrintsNothingAndSucceeds() {
        Cli.Result keys = cairn("kv", "get", "-keys", p + "none/");
        Cli.Result recurse = cairn("kv", "get", "-recurse", p + "none/");

        assertThat(keys.exitCode()).isZero();
        assertThat(keys.out()).isEmpty();
        assertThat(recurse.exitCode()).isZero();
        assertThat(recurse.out()).isEmpty();
    }

    @Test
    void detailedPrintsTheFieldsAlignedAsConsulDoes() {
        cairn("kv", "put", "-flags", "42", p + "cfg", "hello world");
        KvEntry e = stored(p + "cfg").orElseThrow();

        Cli.Result get = cairn("kv", "get", "-detailed", p + "cfg");

        assertThat(get.exitCode()).isZero();
        assertThat(get.out()).isEqualTo(""
                + "CreateIndex      " + e.createIndex() + "\n"
                + "Flags            42\n"
                + "Key              " + p + "cfg\n"
                + "LockIndex        0\n"
                + "ModifyIndex      " + e.modifyIndex() + "\n"
                + "Session          -\n"
                + "Value            hello world\n");
    }

    @Test
    void recurseDetailedSeparatesEntriesWithABlankLine() {
        cairn("kv", "put", p + "a", "1");
        cairn("kv", "put", p + "b", "2");

        String out = cairn("kv", "get", "-recurse", "-detailed", p).out();

        assertThat(out.split("\n\n", -1)).hasSize(2);
        assertThat(out).contains("Value            1\n\nCreateIndex").endsWith("Value            2\n");
    }

    @Test
    void flagsAreStoredAsUnsigned64BitIntegers() {
        assertThat(cairn("kv", "put", "-flags", "18446744073709551615", p + "f", "v").exitCode()).isZero();

        assertThat(stored(p + "f").orElseThrow().flags()).isEqualTo(-1L);
        assertThat(cairn("kv", "get", "-detailed", p + "f").out()).contains("Flags            18446744073709551615\n");
        assertThat(cairn("kv", "put", "-flags", "-1", p + "g", "v").exitCode()).isEqualTo(2);
    }

    @Test
    void casWritesOnlyAtTheCurrentModifyIndex() {
        cairn("kv", "put", p + "c", "v1");
        long index = stored(p + "c").orElseThrow().modifyIndex();

        Cli.Result stale = cairn("kv", "put", "-cas", "-modify-index", Long.toString(index + 1000), p + "c", "v2");
        assertThat(stale.exitCode()).isEqualTo(1);
        assertThat(stale.stderr()).isEqualTo("Error! Did not write to " + p + "c: CAS failed\n");
        assertThat(stored(p + "c").orElseThrow().value()).isEqualTo(utf8("v1"));

        Cli.Result current = cairn("kv", "put", "-cas", "-modify-index", Long.toString(index), p + "c", "v2");
        assertThat(current.exitCode()).as(current.toString()).isZero();
        assertThat(current.out()).isEqualTo("Success! Data written to: " + p + "c\n");
        assertThat(stored(p + "c").orElseThrow().value()).isEqualTo(utf8("v2"));
    }

    @Test
    void casWithoutModifyIndexIsAUsageError() {
        Cli.Result put = cairn("kv", "put", "-cas", p + "c", "v");

        assertThat(put.exitCode()).isEqualTo(2);
        assertThat(put.stderr()).isEqualTo("cairn: Must specify -modify-index with -cas\n");
        assertThat(stored(p + "c")).isEmpty();
    }

    @Test
    void keysWithSpacesAndReservedCharactersRoundTrip() {
        String key = p + "sp ace/\u00fc?&#%+=x";
        assertThat(cairn("kv", "put", key, "v").exitCode()).isZero();

        assertThat(stored(key)).isPresent();
        assertThat(cairn("kv", "get", key).out()).isEqualTo("v\n");
    }

    @Test
    void aLeadingSlashIsStrippedOnGetAndRefusedOnPut() {
        cairn("kv", "put", p + "k", "v");

        assertThat(cairn("kv", "get", "/" + p + "k").out()).isEqualTo("v\n");
        Cli.Result put = cairn("kv", "put", "/" + p + "k", "w");
        assertThat(put.exitCode()).isEqualTo(2);
        assertThat(put.stderr()).contains("Key must not begin with a '/'");
    }

    @Test
    void getWithoutAKeyIsAUsageError() {
        Cli.Result get = cairn("kv", "get");

        assertThat(get.exitCode()).isEqualTo(2);
        assertThat(get.stderr()).startsWith("cairn: Missing KEY argument").doesNotContain("\n\n");
    }

    @Test
    void longFlagsAlsoWorkWithTwoDashesAndEquals() {
        Cli.Result put = cairn("kv", "put", "--flags=7", p + "k", "v");

        assertThat(put.exitCode()).as(put.toString()).isZero();
        assertThat(stored(p + "k").orElseThrow().flags()).isEqualTo(7);
        assertThat(cairn("kv", "get", "--detailed", p + "k").out()).contains("Flags            7\n");
    }
}

package dev.cairn.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cairn kv delete}: single key, prefix, check-and-set. */
class KvDeleteTest extends ServerTestBase {

    @Test
    void deletesOneKeyAndLeavesItsSiblings() {
        cairn("kv", "put", p + "a", "1");
        cairn("kv", "put", p + "ab", "2");

        Cli.Result del = cairn("kv", "delete", p + "a");

        assertThat(del.exitCode()).isZero();
        assertThat(del.out()).isEqualTo("Success! Deleted key: " + p + "a\n");
        assertThat(stored(p + "a")).isEmpty();
        assertThat(stored(p + "ab")).isPresent();
    }

    @Test
    void recurseDeletesExactlyThePrefix() {
        cairn("kv", "put", p + "app/a", "1");
        cairn("kv", "put", p + "app/b/c", "2");
        cairn("kv", "put", p + "apple", "3");

        Cli.Result del = cairn("kv", "delete", "-recurse", p + "app/");

        assertThat(del.exitCode()).isZero();
        assertThat(del.out()).isEqualTo("Success! Deleted keys with prefix: " + p + "app/\n");
        assertThat(storedUnder(p + "app/")).isEmpty();
        assertThat(stored(p + "apple")).isPresent();
    }

    @Test
    void casDeletesOnlyAtTheCurrentModifyIndex() {
        cairn("kv", "put", p + "k", "v");
        long index = stored(p + "k").orElseThrow().modifyIndex();

        Cli.Result stale = cairn("kv", "delete", "-cas", "-modify-index", Long.toString(index + 1000), p + "k");
        assertThat(stale.exitCode()).isEqualTo(1);
        assertThat(stale.stderr()).isEqualTo("Error! Did not delete key " + p + "k: CAS failed\n");
        assertThat(stored(p + "k")).isPresent();

        Cli.Result current = cairn("kv", "delete", "-cas", "-modify-index", Long.toString(index), p + "k");
        assertThat(current.exitCode()).isZero();
        assertThat(stored(p + "k")).isEmpty();
    }

    @Test
    void casWithRecurseOrWithoutAnIndexIsAUsageError() {
        cairn("kv", "put", p + "k", "v");

        assertThat(cairn("kv", "delete", "-cas", "-recurse", "-modify-index", "1", p).exitCode()).isEqualTo(2);
        assertThat(cairn("kv", "delete", "-cas", p + "k").exitCode()).isEqualTo(2);
        assertThat(cairn("kv", "delete", "-modify-index", "1", p + "k").exitCode()).isEqualTo(2);
        assertThat(cairn("kv", "delete").exitCode()).isEqualTo(2);
        assertThat(stored(p + "k")).isPresent();
    }
}

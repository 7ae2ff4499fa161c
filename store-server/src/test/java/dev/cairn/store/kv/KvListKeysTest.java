package dev.cairn.store.kv;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KvListKeysTest {

    private static KvEntry e(String key) {
        return new KvEntry(key, null, 0, 1, 1, 0, "");
    }

    @Test
    void separatorCutsKeysAfterTheFirstSeparatorPastThePrefixAndDropsDuplicates() {
        List<KvEntry> entries = List.of(e("web/bar"), e("web/foo"), e("web/subdir/a"), e("web/subdir/b"));

        assertThat(KvHandler.listKeys(entries, "web/", "/"))
                .containsExactly("web/bar", "web/foo", "web/subdir/");
    }

    @Test
    void withoutSeparatorEveryKeyIsListed() {
        List<KvEntry> entries = List.of(e("web/bar"), e("web/subdir/a"));

        assertThat(KvHandler.listKeys(entries, "web/", null)).containsExactly("web/bar", "web/subdir/a");
    }
}

package dev.cairn.store.http;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class WatchHubTest {

    private final WatchHub hub = new WatchHub();

    @Test
    void aKeyWatchFiresOnlyForThatKey() {
        AtomicInteger fired = new AtomicInteger();
        hub.register(WatchHub.Spec.key("kv/a"), fired::incrementAndGet);

        hub.changed(List.of("kv/ab", "kv/b"));
        assertThat(fired).hasValue(0);

        hub.changed(List.of("kv/a"));
        assertThat(fired).hasValue(1);
    }

    @Test
    void aPrefixWatchFiresForAnyKeyStartingWithIt() {
        AtomicInteger fired = new AtomicInteger();
        hub.register(WatchHub.Spec.prefix("kv/app/"), fired::incrementAndGet);

        hub.changed(List.of("kv/apple", "kv/other"));
        assertThat(fired).hasValue(0);

        hub.changed(List.of("kv/app/config/x"));
        assertThat(fired).hasValue(1);
    }

    @Test
    void registrationsFireOnceAndAreThenGone() {
        AtomicInteger fired = new AtomicInteger();
        hub.register(new WatchHub.Spec(List.of("kv/a"), List.of("kv/")), fired::incrementAndGet);

        hub.changed(List.of("kv/a"));
        hub.changed(List.of("kv/a"));

        assertThat(fired).hasValue(1);
        assertThat(hub.waiting()).isZero();
    }

    @Test
    void aCancelledRegistrationNeverFiresAndLeavesNothingBehind() {
        AtomicInteger fired = new AtomicInteger();
        WatchHub.Registration r = hub.register(WatchHub.Spec.prefix("kv/"), fired::incrementAndGet);

        r.cancel();
        hub.changed(List.of("kv/x"));

        assertThat(fired).hasValue(0);
        assertThat(hub.waiting()).isZero();
    }

    @Test
    void prefixMatchingWorksWhetherPrefixesOrKeyCharactersAreMore() {
        AtomicInteger fired = new AtomicInteger();
        for (int i = 0; i < 50; i++) {
            hub.register(WatchHub.Spec.prefix("kv/p" + i + "/"), fired::incrementAndGet);
        }
        hub.register(WatchHub.Spec.prefix(""), fired::incrementAndGet);

        hub.changed(List.of("kv/p7/x"));

        assertThat(fired).hasValue(2);
    }

    @Test
    void everythingChangedWakesEveryone() {
        AtomicInteger fired = new AtomicInteger();
        hub.register(WatchHub.Spec.key("kv/a"), fired::incrementAndGet);
        hub.register(WatchHub.Spec.prefix("kv/b"), fired::incrementAndGet);

        hub.everythingChanged();

        assertThat(fired).hasValue(2);
    }
}

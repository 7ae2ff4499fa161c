package dev.cairn.store.session;

import dev.cairn.store.http.ApiException;
import dev.cairn.store.http.RequestJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The create body as Consul reads it: defaults, LockDelay forms, TTL range, Checks spellings. */
class NewSessionTest {

    private static Session parse(String json) {
        return NewSession.parse(RequestJson.parse(json.getBytes(StandardCharsets.UTF_8), true), "id", "self",
                Duration.ofSeconds(10));
    }

    @Test
    void anEmptyBodyGetsConsulsDefaults() {
        Session s = parse("");

        assertThat(s.node()).isEqualTo("self");
        assertThat(s.nodeChecks()).containsExactly("serfHealth");
        assertThat(s.lockDelayNanos()).isEqualTo(15_000_000_000L);
        assertThat(s.behavior()).isEqualTo("release");
        assertThat(s.ttl()).isEmpty();
    }

    @Test
    void lockDelayIsADurationStringOrSecondsBelow1000OrNanosecondsAndIsCappedAt60s() {
        assertThat(parse("{\"LockDelay\":\"1m30s\"}").lockDelayNanos()).isEqualTo(60_000_000_000L);
        assertThat(parse("{\"LockDelay\":\"15000ms\"}").lockDelayNanos()).isEqualTo(15_000_000_000L);
        assertThat(parse("{\"LockDelay\":0}").lockDelayNanos()).as("Ecwid's default").isZero();
        assertThat(parse("{\"LockDelay\":5}").lockDelayNanos()).isEqualTo(5_000_000_000L);
        assertThat(parse("{\"LockDelay\":2000000000}").lockDelayNanos()).isEqualTo(2_000_000_000L);
        assertThat(parse("{\"lockdelay\":1.5e10}").lockDelayNanos()).isEqualTo(15_000_000_000L);
        assertThatThrownBy(() -> parse("{\"LockDelay\":\"soon\"}")).isInstanceOf(ApiException.class)
                .hasMessageContaining("Invalid LockDelay \"soon\"");
    }

    @Test
    void ttlMustBeEmptyOrBetweenTheMinimumAndOneDay() {
        assertThat(parse("{\"TTL\":\"10s\"}").ttl()).isEqualTo("10s");
        assertThat(parse("{\"TTL\":\"86400s\"}").ttlDuration()).isEqualTo(Duration.ofDays(1));
        assertThatThrownBy(() -> parse("{\"TTL\":\"9s\"}")).hasMessage(
                "Invalid Session TTL '9s', must be between [10s=24h0m0s]");
        assertThatThrownBy(() -> parse("{\"TTL\":\"86401s\"}")).hasMessageContaining("must be between");
        assertThatThrownBy(() -> parse("{\"TTL\":\"ten\"}")).hasMessageStartingWith("Session TTL 'ten' invalid");
    }

    @Test
    void checksReplaceTheDefaultAndAnEmptyListMeansNone() {
        assertThat(parse("{\"Checks\":[]}").checkIds()).isEmpty();
        assertThat(parse("{\"NodeChecks\":[\"a\"],\"Checks\":[\"b\",\"a\"]}").nodeChecks()).containsExactly("b", "a");
        Session svc = parse("{\"ServiceChecks\":[{\"ID\":\"service:web\",\"Namespace\":\"\"}]}");
        assertThat(svc.nodeChecks()).as("ServiceChecks alone keep serfHealth, as in Consul").containsExactly("serfHealth");
        assertThat(svc.checkIds()).containsExactly("serfHealth", "service:web");
    }

    @Test
    void behaviorIsReleaseOrDelete() {
        assertThat(parse("{\"Behavior\":\"delete\"}").deletesKeys()).isTrue();
        assertThatThrownBy(() -> parse("{\"Behavior\":\"explode\"}")).hasMessageStartingWith(
                "Invalid Behavior setting 'explode'");
    }
}

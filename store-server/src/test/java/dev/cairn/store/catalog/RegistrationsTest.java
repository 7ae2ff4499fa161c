package dev.cairn.store.catalog;

import dev.cairn.store.http.ApiException;
import dev.cairn.store.http.RequestJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistrationsTest {

    private static final Node SELF = new Node("id", "n1", "127.0.0.1", "dc1", Map.of(), Map.of(), 0, 0);

    private static RequestJson body(String json) {
        return RequestJson.parse(json.getBytes(StandardCharsets.UTF_8), false);
    }

    @Test
    void scriptChecksAreRefusedUnlessTheServerEnablesThem() {
        String script = "{\"Name\":\"disk\",\"Args\":[\"sh\",\"-c\",\"df\"],\"Interval\":\"10s\"}";

        assertThatThrownBy(() -> Registrations.agentCheck(body(script), SELF, false))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessageContaining("Scripts are disabled").hasMessageContaining("-enable-script-checks");
        assertThatThrownBy(() -> Registrations.agentService(
                body("{\"Name\":\"web\",\"Check\":{\"Script\":\"true\",\"Interval\":\"5s\"}}"), SELF, false, false))
                .hasMessageContaining("Scripts are disabled");

        CatalogCommand.Register allowed = Registrations.agentCheck(body(script), SELF, true);
        assertThat(allowed.checks().get(0).definition().type()).isEqualTo("script");
    }

    @Test
    void generatedCheckIdsAndNamesFollowConsul() {
        CatalogCommand.Register one = Registrations.agentService(
                body("{\"Name\":\"web\",\"ID\":\"web1\",\"Check\":{\"TTL\":\"30s\"}}"), SELF, false, false);
        CatalogCommand.Register two = Registrations.agentService(
                body("{\"Name\":\"web\",\"ID\":\"web1\",\"Checks\":[{\"TTL\":\"30s\"},{\"TCP\":\"127.0.0.1:1\",\"Interval\":\"5s\"}]}"),
                SELF, false, false);

        assertThat(one.checks()).extracting(HealthCheck::checkId).containsExactly("service:web1");
        assertThat(one.checks().get(0).name()).isEqualTo("Service 'web' check");
        assertThat(two.checks()).extracting(HealthCheck::checkId).containsExactly("service:web1:1", "service:web1:2");
    }
}

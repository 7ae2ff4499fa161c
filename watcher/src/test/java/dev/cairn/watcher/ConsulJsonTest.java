package dev.cairn.watcher;

import dev.cairn.template.CatalogNode;
import dev.cairn.template.CatalogService;
import dev.cairn.template.KvEntry;
import dev.cairn.template.NodeDetail;
import dev.cairn.template.ServiceInstance;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.cairn.watcher.StoreRequest.Endpoint.CATALOG_DATACENTERS;
import static dev.cairn.watcher.StoreRequest.Endpoint.CATALOG_NODE;
import static dev.cairn.watcher.StoreRequest.Endpoint.CATALOG_NODES;
import static dev.cairn.watcher.StoreRequest.Endpoint.CATALOG_SERVICES;
import static dev.cairn.watcher.StoreRequest.Endpoint.HEALTH_SERVICE;
import static dev.cairn.watcher.StoreRequest.Endpoint.KV_KEY;
import static dev.cairn.watcher.StoreRequest.Endpoint.KV_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Consul's JSON (canned answers under src/test/resources/consul) to the engine's records. */
class ConsulJsonTest {

    private static byte[] canned(String name) throws IOException {
        try (InputStream in = ConsulJsonTest.class.getResourceAsStream("/consul/" + name)) {
            return in.readAllBytes();
        }
    }

    private static List<Object> decode(StoreRequest.Endpoint endpoint, byte[] body) throws IOException {
        return new ArrayList<>(ConsulJson.decode(endpoint, body));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void kvValuesAreDecodedFromBase64AndNullReadsAsEmpty() throws IOException {
        List<Object> entries = decode(KV_PREFIX, canned("kv-recurse.json"));

        assertThat(entries).containsExactly(
                new KvEntry("app/config/", "", 0, 5, 5),
                new KvEntry("app/config/db", "postgres://db", 42, 6, 9),
                new KvEntry("app/config/name", "caf\u00e9", 0, 7, 7),
                // uint64 flags keep their bits: 2^64-1 is -1 as a Java long
                new KvEntry("app/config/max", "100", -1, 8, 8));
    }

    @Test
    void aSingleKeyIsAnArrayOfOneEntry() throws IOException {
        List<Object> entries = decode(KV_KEY,
                utf8("[{\"LockIndex\":0,\"Key\":\"a/b\",\"Flags\":0,\"Value\":\"e3t4fX0=\",\"CreateIndex\":3,\"ModifyIndex\":4}]"));

        assertThat(entries).containsExactly(new KvEntry("a/b", "{{x}}", 0, 3, 4));
    }

    @Test
    void healthEntriesBecomeInstancesWithTheNodeAddressForAnEmptyServiceAddress() throws IOException {
        List<Object> instances = decode(HEALTH_SERVICE, canned("health-service.json"));

        assertThat(instances).hasSize(7);
        assertThat(instances.get(0)).isEqualTo(new ServiceInstance("web-1", "web", "n1", "10.1.10.12", "10.1.10.12",
                8080, List.of("prod", "v2"), Map.of("version", "2"), "passing", "dc1"));
        ServiceInstance second = (ServiceInstance) instances.get(1);
        assertThat(second.address()).isEqualTo("192.168.0.7");
        assertThat(second.nodeAddress()).isEqualTo("10.1.10.13");
        assertThat(second.tags()).isEmpty();
    }

    @Test
    void statusIsConsulsAggregatedStatusOfNodeAndServiceChecks() throws IOException {
        List<String> statuses = decode(HEALTH_SERVICE, canned("health-service.json")).stream()
                .map(i -> ((ServiceInstance) i).status()).toList();

        assertThat(statuses).containsExactly(
                "passing",      // serfHealth passing
                "warning",      // a warning service check
                "critical",     // a critical node check beats a warning service check
                "maintenance",  // _service_maintenance:ID, whatever else passes
                "passing",      // no checks at all
                "maintenance",  // _node_maintenance
                "");            // "Passing" is no status Go knows: the instance matches no state
    }

    @Test
    void catalogServicesMapNamesToTags() throws IOException {
        assertThat(decode(CATALOG_SERVICES, canned("catalog-services.json"))).containsExactly(
                new CatalogService("consul", List.of()),
                new CatalogService("web", List.of("prod", "v2")),
                new CatalogService("db", List.of("primary")));
    }

    @Test
    void aNodeComesWithItsServicesAndNoHealth() throws IOException {
        List<Object> answer = decode(CATALOG_NODE, canned("catalog-node.json"));

        assertThat(answer).hasSize(1);
        NodeDetail detail = (NodeDetail) answer.get(0);
        assertThat(detail.node()).isEqualTo(new CatalogNode("n1", "10.1.10.12", "dc1", Map.of("rack", "r1")));
        assertThat(detail.services()).containsExactly(
                new ServiceInstance("web-1", "web", "n1", "10.1.10.12", "10.1.10.12", 8080, List.of("prod"), Map.of(),
                        "", "dc1"),
                new ServiceInstance("db", "db", "n1", "10.9.9.9", "10.1.10.12", 5432, List.of(), Map.of("v", "1"),
                        "", "dc1"));
    }

    @Test
    void anUnknownNodeIsNullWhichIsNoNode() throws IOException {
        assertThat(decode(CATALOG_NODE, utf8("null"))).isEmpty();
    }

    @Test
    void nodesAndDatacenters() throws IOException {
        assertThat(decode(CATALOG_NODES, canned("catalog-nodes.json"))).containsExactly(
                new CatalogNode("n1", "10.1.10.12", "dc1", Map.of("rack", "r1")),
                new CatalogNode("n2", "10.1.10.13", "dc1", Map.of()));
        assertThat(decode(CATALOG_DATACENTERS, canned("catalog-datacenters.json")))
                .containsExactly("dc1", "dc2");
    }

    @Test
    void emptyAnswersAreEmptyLists() throws IOException {
        assertThat(decode(HEALTH_SERVICE, utf8("[]"))).isEmpty();
        assertThat(decode(CATALOG_SERVICES, utf8("{}"))).isEmpty();
        assertThat(decode(CATALOG_NODES, utf8("[]"))).isEmpty();
    }

    @Test
    void answersOfTheWrongShapeAreErrorsNamingWhatWasExpected() {
        assertThatThrownBy(() -> decode(HEALTH_SERVICE, utf8("{\"web\":[]}")))
                .isInstanceOf(IOException.class).hasMessageContaining("expected an array of health service entries");
        assertThatThrownBy(() -> decode(CATALOG_SERVICES, utf8("[]")))
                .isInstanceOf(IOException.class).hasMessageContaining("expected an object of service names");
        assertThatThrownBy(() -> decode(KV_KEY, utf8("[{\"Key\":\"a\",\"Value\":\"not base64!\"}]")))
                .isInstanceOf(IOException.class).hasMessageContaining("Value of a is not base64");
        assertThatThrownBy(() -> decode(KV_KEY, utf8("<html>")))
                .isInstanceOf(IOException.class);
    }
}

package dev.cairn.store.catalog;

import dev.cairn.store.state.WatchKeys;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CatalogStateTest {

    private final CatalogState catalog = new CatalogState();
    private final List<String> changed = new ArrayList<>();

    private static Node node(String name, String address) {
        return new Node("", name, address, "dc1", Map.of(), Map.of(), 0, 0);
    }

    private static ServiceInstance svc(String id, String name, int port, String... tags) {
        return new ServiceInstance("", id, name, List.of(tags), "", Map.of(), Map.of(), port, null, false, "", 0, 0);
    }

    private static HealthCheck check(String node, String id, String serviceId, String status) {
        return new HealthCheck(node, id, id, status, "", "", serviceId, "", List.of(), null, 0, 0);
    }

    private CatalogCommand.Result apply(long index, CatalogCommand c) {
        changed.clear();
        return catalog.apply(c, index, changed);
    }

    private CatalogCommand.Result register(long index, String nodeName, ServiceInstance s, HealthCheck... checks) {
        return apply(index, new CatalogCommand.Register(node(nodeName, "10.0.0.1"), s, List.of(checks), false, false));
    }

    @Test
    void aServiceChangeTouchesThatServiceOnlyNotOthers() {
        register(2, "n1", svc("web1", "web", 80));
        register(3, "n1", svc("db1", "db", 5432));

        register(4, "n1", svc("web1", "web", 8080));

        assertThat(changed).contains(WatchKeys.catalogService("web")).doesNotContain(WatchKeys.catalogService("db"));
        assertThat(catalog.service("web").index()).isEqualTo(4);
        assertThat(catalog.service("db").index()).isEqualTo(3);
        assertThat(catalog.services().index()).isEqualTo(4);
    }

    @Test
    void reRegisteringTheSameThingChangesNothing() {
        register(2, "n1", svc("web1", "web", 80, "a"));

        register(3, "n1", svc("web1", "web", 80, "a"));

        assertThat(changed).isEmpty();
        assertThat(catalog.service("web").value().get(0).service().modifyIndex()).isEqualTo(2);
    }

    @Test
    void servicesListsTheSortedUnionOfTags() {
        register(2, "n1", svc("web1", "web", 80, "v2", "prod"));
        register(3, "n2", svc("web2", "web", 80, "canary", "prod"));

        assertThat(catalog.services().value().get("web")).containsExactly("canary", "prod", "v2");
    }

    @Test
    void instancesComeOrderedByNodeThenIdWithNodeChecksAndTheirOwnChecks() {
        register(2, "n2", svc("b", "web", 80), check("n2", "serfHealth", "", "passing"));
        register(3, "n1", svc("z", "web", 80), check("n1", "service:z", "z", "critical"));
        register(4, "n1", svc("a", "web", 80));

        List<CatalogState.ServiceEntry> entries = catalog.service("web").value();
        assertThat(entries).extracting(e -> e.node().name() + "/" + e.service().id()).containsExactly("n1/a", "n1/z", "n2/b");
        assertThat(entries.get(1).checks()).extracting(HealthCheck::checkId).containsExactly("service:z");
        assertThat(entries.get(0).checks()).as("a's own checks only").isEmpty();
        assertThat(entries.get(2).checks()).extracting(HealthCheck::checkId).containsExactly("serfHealth");
    }

    @Test
    void aCheckCarriesItsServicesNameAndTagsAndFollowsTagChanges() {
        register(2, "n1", svc("web1", "web", 80, "v1"), check("n1", "service:web1", "web1", "passing"));
        register(3, "n1", svc("web1", "web", 80, "v2"));

        HealthCheck c = catalog.check("n1", "service:web1");
        assertThat(c.serviceName()).isEqualTo("web");
        assertThat(c.serviceTags()).containsExactly("v2");
    }

    @Test
    void aCheckForAnUnknownServiceRefusesTheWholeRegistration() {
        CatalogCommand.Result r = register(2, "n1", null, check("n1", "c", "nope", "passing"));

        assertThat(r.ok()).isFalse();
        assertThat(r.error()).contains("Missing service registration").contains("nope");
        assertThat(catalog.nodes().value()).as("nothing half-registered").isEmpty();
    }

    @Test
    void updateCheckWritesOnlyAChangeAndANodeCheckTouchesEveryServiceOnTheNode() {
        register(2, "n1", svc("web1", "web", 80), check("n1", "serfHealth", "", "passing"));
        register(3, "n1", svc("db1", "db", 80));

        apply(4, new CatalogCommand.UpdateCheck("n1", "serfHealth", "passing", ""));
        assertThat(changed).isEmpty();

        apply(5, new CatalogCommand.UpdateCheck("n1", "serfHealth", "critical", "down"));
        assertThat(changed).contains(WatchKeys.catalogService("web"), WatchKeys.catalogService("db"),
                WatchKeys.CATALOG_CHECKS);
        assertThat(catalog.checksInState("critical").value()).extracting(HealthCheck::output).containsExactly("down");
        assertThat(apply(6, new CatalogCommand.UpdateCheck("n1", "ghost", "passing", "")).ok()).isFalse();
    }

    @Test
    void deregisteringAServiceRemovesItsChecksAndKeepsItsIndexMovingForward() {
        register(2, "n1", svc("web1", "web", 80), check("n1", "service:web1", "web1", "passing"));

        apply(7, new CatalogCommand.Deregister("n1", "web1", ""));

        assertThat(catalog.service("web").value()).isEmpty();
        assertThat(catalog.service("web").index()).isEqualTo(7);
        assertThat(catalog.check("n1", "service:web1")).isNull();
        assertThat(catalog.services().value()).doesNotContainKey("web");
    }

    @Test
    void deregisteringANodeRemovesItsServicesAndChecks() {
        register(2, "n1", svc("web1", "web", 80), check("n1", "serfHealth", "", "passing"));

        apply(3, new CatalogCommand.Deregister("n1", "", ""));

        assertThat(catalog.nodes().value()).isEmpty();
        assertThat(catalog.service("web").value()).isEmpty();
        assertThat(catalog.node("n1").value()).isNull();
        assertThat(catalog.nodes().index()).isEqualTo(3);
    }

    @Test
    void replaceServiceChecksDropsTheServicesOtherChecks() {
        register(2, "n1", svc("web1", "web", 80), check("n1", "a", "web1", "passing"), check("n1", "b", "web1", "passing"));

        apply(3, new CatalogCommand.Register(node("n1", "10.0.0.1"), svc("web1", "web", 80),
                List.of(check("n1", "a", "web1", "passing")), false, true));

        assertThat(catalog.nodeChecks("n1")).extracting(HealthCheck::checkId).containsExactly("a");
    }

    @Test
    void reRegisteringWithoutAStatusKeepsTheChecksCurrentStatus() {
        register(2, "n1", svc("web1", "web", 80), check("n1", "service:web1", "web1", HealthCheck.UNCHANGED));
        assertThat(catalog.check("n1", "service:web1").status()).as("a new check starts critical").isEqualTo("critical");
        apply(3, new CatalogCommand.UpdateCheck("n1", "service:web1", "passing", "HTTP GET: 200 OK"));

        register(4, "n1", svc("web1", "web", 80), check("n1", "service:web1", "web1", HealthCheck.UNCHANGED));

        assertThat(catalog.check("n1", "service:web1").status()).isEqualTo("passing");
        assertThat(catalog.check("n1", "service:web1").output()).isEqualTo("HTTP GET: 200 OK");
        assertThat(changed).as("nothing changed, nothing woken").isEmpty();
    }

    @Test
    void theByNameIndexFollowsRenamesDeregistrationsAndRestores() throws Exception {
        register(2, "n1", svc("x1", "old", 80));
        register(3, "n1", svc("x1", "new", 80), check("n1", "service:x1", "x1", "passing"));
        register(4, "n2", svc("x2", "new", 81));

        assertThat(catalog.service("old").value()).isEmpty();
        assertThat(catalog.service("new").value()).extracting(e -> e.service().id()).containsExactly("x1", "x2");
        assertThat(catalog.checksOfService("new").value()).extracting(HealthCheck::checkId).containsExactly("service:x1");

        apply(5, new CatalogCommand.Deregister("n1", "", ""));
        assertThat(catalog.service("new").value()).extracting(e -> e.service().id()).containsExactly("x2");

        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        CatalogState restored = new CatalogState();
        restored.restore(json, catalog.snapshot(json));
        assertThat(restored.service("new").value()).extracting(e -> e.service().id()).containsExactly("x2");
    }

    @Test
    void aggregateStatusFollowsConsul() {
        assertThat(HealthCheck.aggregate(List.of())).isEqualTo("passing");
        assertThat(HealthCheck.aggregate(List.of(check("n", "a", "", "passing"), check("n", "b", "", "warning"))))
                .isEqualTo("warning");
        assertThat(HealthCheck.aggregate(List.of(check("n", "a", "", "warning"), check("n", "b", "", "critical"))))
                .isEqualTo("critical");
        assertThat(HealthCheck.aggregate(List.of(check("n", "_node_maintenance", "", "critical"), check("n", "b", "", "passing"))))
                .isEqualTo("maintenance");
    }

    @Test
    void aSnapshotRoundTripKeepsTablesAndIndexes() throws Exception {
        register(2, "n1", svc("web1", "web", 80, "x"), check("n1", "service:web1", "web1", "warning"));
        apply(3, new CatalogCommand.Deregister("n1", "gone", ""));
        var json = new com.fasterxml.jackson.databind.ObjectMapper();

        CatalogState restored = new CatalogState();
        restored.restore(json, catalog.snapshot(json));

        assertThat(restored.service("web").value()).usingRecursiveComparison().isEqualTo(catalog.service("web").value());
        assertThat(restored.service("web").index()).isEqualTo(2);
        assertThat(restored.checksInState("warning").value()).hasSize(1);
    }
}

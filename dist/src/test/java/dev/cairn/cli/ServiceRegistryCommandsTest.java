package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.client.CairnClient;
import dev.cairn.store.catalog.Node;
import dev.cairn.store.catalog.ServiceInstance;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn catalog services|nodes}, {@code cairn services register|deregister} and
 * {@code cairn members} against a real server. Every test starts from a catalog with no services.
 */
class ServiceRegistryCommandsTest extends ServerTestBase {

    private static final String NODE = "cli-test";

    @TempDir
    Path dir;

    private static CairnClient http() {
        return new CairnClient(URI.create("http://" + addr), null);
    }

    @BeforeEach
    void noServices() {
        CairnClient http = http();
        JsonNode services = http.get("/v1/agent/services", null).ok().json();
        services.fieldNames().forEachRemaining(id ->
                http.put("/v1/agent/service/deregister/" + CairnClient.encodePath(id), null, new byte[0]).ok());
        assertThat(registered()).isEmpty();
    }

    /** The services of the server's node, as its state holds them. */
    private static List<ServiceInstance> registered() {
        var read = server.state().catalog().node(NODE).value();
        return read == null ? List.of() : read.services();
    }

    private static ServiceInstance instance(String id) {
        return server.state().catalog().serviceInstance(NODE, id);
    }

    private Path file(String name, String json) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, json);
        return f;
    }

    private static void assertOk(Cli.Result r) {
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stderr()).as(r.toString()).isEmpty();
    }

    @Test
    void registerFromAFileAndFromFlagsThenListServicesWithTags() throws Exception {
        Path web = file("web.json", """
                {"service": {"name": "web", "id": "web-1", "port": 8080, "tags": ["v2", "prod"],
                             "meta": {"version": "2"}}}
                """);

        Cli.Result fromFile = cairn("services", "register", web.toString());
        Cli.Result fromFlags = cairn("services", "register", "-name", "api", "-id", "api-1", "-address", "10.0.0.7",
                "-port", "9000", "-tag", "b", "-tag", "a", "-meta", "team=core", "-meta", "tier=1");

        assertOk(fromFile);
        assertThat(fromFile.out()).isEqualTo("Registered service: web\n");
        assertOk(fromFlags);
        assertThat(fromFlags.out()).isEqualTo("Registered service: api\n");
        ServiceInstance w = instance("web-1");
        assertThat(w.service()).isEqualTo("web");
        assertThat(w.port()).isEqualTo(8080);
        assertThat(w.tags()).containsExactly("v2", "prod");
        assertThat(w.meta()).isEqualTo(Map.of("version", "2"));
        ServiceInstance a = instance("api-1");
        assertThat(a.address()).isEqualTo("10.0.0.7");
        assertThat(a.port()).isEqualTo(9000);
        assertThat(a.tags()).containsExactly("b", "a");
        assertThat(a.meta()).isEqualTo(Map.of("team", "core", "tier", "1"));

        assertThat(cairn("catalog", "services").out()).isEqualTo("api\nweb\n");
        // consul's tabwriter: the tag column starts 6 spaces past the longest name; tags sorted
        Cli.Result tags = cairn("catalog", "services", "-tags");
        assertOk(tags);
        assertThat(tags.out()).isEqualTo("api      a,b\nweb      prod,v2\n");
    }

    @Test
    void theTagColumnIsAlignedOnTheLongestNameAndEmptyTagsLeaveNoTrailingSpace() {
        cairn("services", "register", "-name", "x", "-tag", "t1");
        cairn("services", "register", "-name", "payments-gateway");

        assertThat(cairn("catalog", "services", "-tags").out())
                .isEqualTo("payments-gateway\nx                     t1\n");
    }

    @Test
    void aFileMayHoldSeveralServicesOrABareServiceWithKeysInAnyCase() throws Exception {
        Path two = file("two.json", """
                {"Services": [{"Name": "db", "ID": "db-1", "Port": 5432},
                              {"NAME": "cache", "Port": 6379, "Enable_Tag_Override": true}]}
                """);
        Path bare = file("bare.json", "{\"name\": \"queue\", \"port\": 5672}");

        Cli.Result r = cairn("services", "register", two.toString(), bare.toString());

        assertOk(r);
        assertThat(r.out()).isEqualTo("Registered service: db\nRegistered service: cache\nRegistered service: queue\n");
        assertThat(instance("db-1").port()).isEqualTo(5432);
        assertThat(instance("cache").enableTagOverride()).isTrue();
        assertThat(instance("queue").port()).isEqualTo(5672);
    }

    @Test
    void servicesOfOneNode() {
        cairn("services", "register", "-name", "web", "-tag", "v1");

        assertThat(cairn("catalog", "services", "-node", NODE, "-tags").out()).isEqualTo("web      v1\n");
        Cli.Result unknown = cairn("catalog", "services", "-node", "nope");
        assertThat(unknown.exitCode()).isZero();
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.stderr()).isEqualTo("No services match the given node \"nope\"\n");
    }

    @Test
    void anEmptyCatalogSaysSoOnStderrAndSucceeds() {
        Cli.Result r = cairn("catalog", "services");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.stderr()).isEqualTo("No services match the given query - try expanding your search.\n");
    }

    @Test
    void catalogNodesShowsTheServersOwnNode() {
        Node self = server.state().catalog().nodes().value().stream()
                .filter(n -> n.name().equals(NODE)).findFirst().orElseThrow();
        String shortId = self.id().substring(0, 8);
        assertThat(self.id()).hasSize(36).contains("-");

        Cli.Result r = cairn("catalog", "nodes");

        assertOk(r);
        assertThat(r.out()).isEqualTo(
                "Node      ID        Address    DC\n"
                        + NODE + "  " + shortId + "  127.0.0.1  dc1\n");
        Cli.Result detailed = cairn("catalog", "nodes", "-detailed");
        assertOk(detailed);
        assertThat(detailed.out().lines().toList().get(1))
                .startsWith(NODE + "  " + self.id() + "  127.0.0.1  dc1")
                .contains("lan=127.0.0.1, lan_ipv4=127.0.0.1, wan=127.0.0.1, wan_ipv4=127.0.0.1");
    }

    @Test
    void catalogNodesOfAService() {
        cairn("services", "register", "-name", "web", "-id", "web-1");
        cairn("services", "register", "-name", "web", "-id", "web-2");

        Cli.Result r = cairn("catalog", "nodes", "-service", "web");

        assertOk(r);
        assertThat(r.out().lines()).hasSize(2).last().asString().startsWith(NODE + "  ");
        Cli.Result none = cairn("catalog", "nodes", "-service", "nope");
        assertThat(none.exitCode()).isZero();
        assertThat(none.out()).isEmpty();
        assertThat(none.stderr()).isEqualTo("No nodes match the given query - try expanding your search.\n");
    }

    @Test
    void deregisterByIdByFlagAndByDefinitionFile() throws Exception {
        cairn("services", "register", "-name", "web", "-id", "web-1");
        cairn("services", "register", "-name", "web", "-id", "web-2");
        Path db = file("db.json", "{\"service\": {\"name\": \"db\"}}");
        assertOk(cairn("services", "register", db.toString()));
        assertThat(registered()).hasSize(3);

        Cli.Result byArg = cairn("services", "deregister", "web-1");
        assertOk(byArg);
        assertThat(byArg.out()).isEqualTo("Deregistered service: web-1\n");
        assertThat(instance("web-1")).isNull();
        assertThat(instance("web-2")).isNotNull();

        assertThat(cairn("services", "deregister", "-id", "web-2").out()).isEqualTo("Deregistered service: web-2\n");
        // a definition without an ID names its service ID by its name
        assertThat(cairn("services", "deregister", db.toString()).out()).isEqualTo("Deregistered service: db\n");

        assertThat(registered()).isEmpty();
        assertThat(cairn("catalog", "services").out()).isEmpty();
    }

    @Test
    void aMalformedFileFailsNamingItAndRegistersNothing() throws Exception {
        Path good = file("good.json", "{\"service\": {\"name\": \"good\"}}");
        Path bad = file("bad.json", "{\"service\": {\"name\": \"bad\",");

        Cli.Result r = cairn("services", "register", good.toString(), bad.toString());

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.stderr()).startsWith("cairn: " + bad + ": malformed JSON").endsWith("\n");
        assertThat(r.stderr().lines()).hasSize(1);
        assertThat(registered()).isEmpty();
    }

    @Test
    void unreadableOrWrongShapedFilesFailNamingThem() throws Exception {
        Path missing = dir.resolve("missing.json");
        Path array = file("array.json", "[{\"name\": \"web\"}]");
        Path wrongType = file("string.json", "{\"service\": \"web\"}");
        Path empty = file("empty.json", "");

        for (Path f : List.of(missing, array, wrongType, empty, dir)) {
            Cli.Result r = cairn("services", "register", f.toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.stderr()).as(r.toString()).startsWith("cairn: " + f + ": ");
            assertThat(r.stderr().lines()).hasSize(1);
        }
        assertThat(cairn("services", "deregister", missing.toString()).exitCode()).isEqualTo(1);
        assertThat(registered()).isEmpty();
    }

    @Test
    void aRegistrationTheServerRefusesIsReportedAndNothingIsRegistered() throws Exception {
        Cli.Result badPort = cairn("services", "register", "-name", "web", "-port", "70000");

        assertThat(badPort.exitCode()).as(badPort.toString()).isEqualTo(1);
        assertThat(badPort.out()).isEmpty();
        assertThat(badPort.stderr()).startsWith("cairn: service \"web\" not registered: Unexpected response code: 400 (")
                .contains("70000");
        assertThat(badPort.stderr().lines()).hasSize(1);

        Path badCheck = file("check.json", """
                {"service": {"name": "web", "check": {"http": "http://localhost/health", "interval": "soon"}}}
                """);
        Cli.Result r = cairn("services", "register", badCheck.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderr()).contains("400");

        Path noName = file("noname.json", "{\"service\": {\"port\": 80}}");
        assertThat(cairn("services", "register", noName.toString()).stderr()).contains("Missing service name");

        assertThat(registered()).isEmpty();
        assertThat(server.state().catalog().nodeChecks(NODE)).extracting(c -> c.checkId()).containsExactly("serfHealth");
    }

    @Test
    void missingOrConflictingArgumentsAreUsageErrors() throws Exception {
        Path web = file("web.json", "{\"service\": {\"name\": \"web\"}}");

        for (String[] args : List.of(
                new String[] {"services", "register"},
                new String[] {"services", "register", "-port", "80"},
                new String[] {"services", "register", "-name", "web", web.toString()},
                new String[] {"services", "register", web.toString(), "-name", "web"},
                new String[] {"services", "register", "-name", "web", "-port", "http"},
                new String[] {"services", "register", "-name", "web", "-meta", "novalue"},
                new String[] {"services", "deregister"},
                new String[] {"services", "deregister", "-id", "web", "web"},
                new String[] {"services"},
                new String[] {"catalog"},
                new String[] {"catalog", "services", "extra"},
                new String[] {"members", "-bogus"})) {
            Cli.Result r = cairn(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r).isEqualTo(2);
            assertThat(r.stderr()).as(String.join(" ", args)).startsWith("cairn: ");
        }
        assertThat(registered()).isEmpty();
    }

    @Test
    void membersListsTheServerAsAlive() {
        String version = http().get("/v1/agent/self", null).ok().json().path("Config").path("Version").asText();

        Cli.Result r = cairn("members");

        assertOk(r);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).split(" +")).containsExactly("Node", "Address", "Status", "Type", "Build", "Protocol", "DC");
        assertThat(lines.get(1).split(" +")).containsExactly(NODE, lines.get(1).split(" +")[1], "alive", "server",
                version, "2", "dc1");
        assertThat(lines.get(1).split(" +")[1]).startsWith("127.0.0.1:");
        // columns line up: each header starts where its values do
        assertThat(lines.get(1).indexOf("alive")).isEqualTo(lines.get(0).indexOf("Status"));
        assertThat(lines.get(1).indexOf("server")).isEqualTo(lines.get(0).indexOf("Type"));

        Cli.Result detailed = cairn("members", "-detailed");
        assertOk(detailed);
        assertThat(detailed.out()).startsWith("Node").contains("alive").contains("role=consul");
    }

    @Test
    void anUnreachableServerFailsWithOneLine() throws Exception {
        String dead = "127.0.0.1:" + closedPort();

        for (String[] args : List.of(
                new String[] {"catalog", "services"},
                new String[] {"catalog", "nodes"},
                new String[] {"services", "register", "-name", "web"},
                new String[] {"services", "deregister", "web"},
                new String[] {"members"})) {
            Cli.Result r = Cli.run(Map.of("CAIRN_HTTP_ADDR", dead), args);
            assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r).isEqualTo(1);
            assertThat(r.stderr()).isEqualTo("cairn: cannot reach Cairn at http://" + dead + ": connection refused\n");
            assertThat(r.out()).isEmpty();
        }
    }
}

package dev.cairn.registrator;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Registrator's mapping rules, one per test, on hand-built containers. */
class ServiceMapperTest {

    static final RegistratorConfig CONFIG = config(false, false, List.of(), null, 0);

    static RegistratorConfig config(boolean internal, boolean explicit, List<String> tags, String ip, int ttl) {
        return new RegistratorConfig("host1", ip, "10.9.9.9", internal, explicit, tags, Duration.ZERO, false,
                RegistratorConfig.Deregister.ALWAYS, 0, Duration.ofSeconds(2), Duration.ofSeconds(ttl),
                Duration.ofSeconds(ttl == 0 ? 0 : ttl - 1));
    }

    /** A builder for a running bridge-network container: {@code new C().publish("80/tcp", "127.0.0.1", "32768")}. */
    static final class C {
        String id = "0123456789abcdef0123";
        String name = "/web-1";
        String image = "registry.example:5000/team/nginx:1.25";
        List<String> env = new ArrayList<>(List.of("PATH=/bin"));
        Map<String, String> labels = new LinkedHashMap<>();
        List<String> exposed = new ArrayList<>();
        Map<String, List<Container.Binding>> published = new LinkedHashMap<>();
        String ip = "172.17.0.5";

        C publish(String port, String hostIp, String hostPort) {
            exposed.add(port);
            published.put(port, List.of(new Container.Binding(hostIp, hostPort)));
            return this;
        }

        C expose(String port) {
            exposed.add(port);
            published.put(port, List.of());
            return this;
        }

        C env(String kv) {
            env.add(kv);
            return this;
        }

        C label(String k, String v) {
            labels.put(k, v);
            return this;
        }

        Container build() {
            return new Container(id, name, image, env, labels, exposed, published, "bridge", ip, true, 0);
        }
    }

    private static List<Registration> map(C c) {
        return ServiceMapper.map(c.build(), CONFIG);
    }

    private static Registration one(C c) {
        List<Registration> r = map(c);
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    @Test
    void aPublishedPortBecomesAServiceNamedAfterTheImageWithAHostContainerPortId() {
        Registration r = one(new C().publish("80/tcp", "127.0.0.1", "32768"));
        assertThat(r.id()).isEqualTo("host1:web-1:80");
        assertThat(r.name()).isEqualTo("nginx");
        assertThat(r.address()).isEqualTo("127.0.0.1");
        assertThat(r.port()).isEqualTo(32768);
        assertThat(r.tags()).isEmpty();
        assertThat(r.meta()).isEmpty();
        assertThat(r.checks()).isEmpty();
    }

    @Test
    void imageBaseNameDropsRegistryPathTagAndDigest() {
        assertThat(ServiceMapper.imageBaseName("nginx")).isEqualTo("nginx");
        assertThat(ServiceMapper.imageBaseName("nginx:1.25")).isEqualTo("nginx");
        assertThat(ServiceMapper.imageBaseName("registry.example:5000/team/app:2")).isEqualTo("app");
        assertThat(ServiceMapper.imageBaseName("team/app@sha256:abcd")).isEqualTo("app");
    }

    @Test
    void noPublishedPortMeansNoService() {
        assertThat(map(new C())).isEmpty();
        assertThat(map(new C().expose("80/tcp"))).as("exposed, not published").isEmpty();
    }

    @Test
    void severalPortsGetThePortAppendedToTheNameUnlessThePortNamesItself() {
        C c = new C().publish("80/tcp", "127.0.0.1", "8080").publish("443/tcp", "127.0.0.1", "8443")
                .publish("9000/tcp", "127.0.0.1", "9000")
                .env("SERVICE_NAME=front").env("SERVICE_443_NAME=front-tls");
        List<Registration> r = map(c);
        assertThat(r).extracting(Registration::id)
                .containsExactly("host1:web-1:443", "host1:web-1:80", "host1:web-1:9000");
        assertThat(r).extracting(Registration::name).containsExactly("front-tls", "front-80", "front-9000");
        assertThat(r).extracting(Registration::port).containsExactly(8443, 8080, 9000);
    }

    @Test
    void anUnpublishedPortBesidesAPublishedOneDoesNotMakeAGroup() {
        Registration r = one(new C().publish("80/tcp", "127.0.0.1", "8080").expose("9999/tcp"));
        assertThat(r.name()).isEqualTo("nginx");
    }

    @Test
    void nameTagsIdAndMetaFromEnvironment() {
        Registration r = one(new C().publish("80/tcp", "127.0.0.1", "8080")
                .env("SERVICE_NAME=web").env("SERVICE_TAGS=http, blue,,v2").env("SERVICE_ID=my-web")
                .env("SERVICE_VERSION=1.2").env("SERVICE_OWNER=team-a").env("OTHER=x"));
        assertThat(r.name()).isEqualTo("web");
        assertThat(r.id()).isEqualTo("my-web");
        assertThat(r.tags()).containsExactly("http", "blue", "v2");
        assertThat(r.meta()).containsExactlyInAnyOrderEntriesOf(Map.of("version", "1.2", "owner", "team-a"));
    }

    @Test
    void labelsWinOverEnvironmentAndPortKeysWinOverGeneralOnes() {
        C c = new C().publish("80/tcp", "127.0.0.1", "8080").publish("53/udp", "127.0.0.1", "5353")
                .env("SERVICE_80_NAME=web").env("SERVICE_NAME=from-env").env("SERVICE_TAGS=env")
                .label("SERVICE_NAME", "from-label").label("SERVICE_80_TAGS", "port80");
        List<Registration> r = map(c);
        assertThat(r).extracting(Registration::name).containsExactly("from-label-53", "web");
        assertThat(r.get(1).tags()).containsExactly("port80");
        assertThat(r.get(0).tags()).containsExactly("env", "udp");
    }

    @Test
    void portKeysOfOtherPortsDoNotLeakIntoMeta() {
        Registration r = one(new C().publish("80/tcp", "127.0.0.1", "8080").env("SERVICE_443_NAME=tls")
                .env("SERVICE_80_WEIGHT=3"));
        assertThat(r.meta()).containsExactly(Map.entry("weight", "3"));
    }

    @Test
    void udpPortsGetAnUdpIdSuffixAndTag() {
        Registration r = one(new C().publish("53/udp", "127.0.0.1", "5353"));
        assertThat(r.id()).isEqualTo("host1:web-1:53:udp");
        assertThat(r.tags()).containsExactly("udp");
    }

    @Test
    void ignoreSkipsTheContainerOrOnePort() {
        assertThat(map(new C().publish("80/tcp", "127.0.0.1", "8080").env("SERVICE_IGNORE=true"))).isEmpty();
        assertThat(map(new C().publish("80/tcp", "127.0.0.1", "8080").label("SERVICE_IGNORE", "1"))).isEmpty();
        List<Registration> r = map(new C().publish("80/tcp", "127.0.0.1", "8080").publish("81/tcp", "127.0.0.1", "8081")
                .env("SERVICE_81_IGNORE=yes"));
        assertThat(r).extracting(Registration::id).containsExactly("host1:web-1:80");
        assertThat(r.get(0).name()).as("still a group of two ports").isEqualTo("nginx-80");
        assertThat(map(new C().publish("80/tcp", "127.0.0.1", "8080").env("SERVICE_IGNORE=")))
                .as("an empty value ignores nothing, as in Registrator").hasSize(1);
    }

    @Test
    void explicitRegistersOnlyNamedPorts() {
        RegistratorConfig explicit = config(false, true, List.of(), null, 0);
        assertThat(ServiceMapper.map(new C().publish("80/tcp", "127.0.0.1", "8080").build(), explicit)).isEmpty();
        List<Registration> r = ServiceMapper.map(new C().publish("80/tcp", "127.0.0.1", "8080")
                .publish("81/tcp", "127.0.0.1", "8081").env("SERVICE_81_NAME=admin").build(), explicit);
        assertThat(r).extracting(Registration::name).containsExactly("admin");
    }

    @Test
    void forcedTagsComeAfterTheContainersOwnWithoutDuplicates() {
        RegistratorConfig tagged = config(false, false, List.of("dc-east", "http"), null, 0);
        Registration r = ServiceMapper.map(new C().publish("80/tcp", "127.0.0.1", "8080")
                .env("SERVICE_TAGS=http,v1").build(), tagged).get(0);
        assertThat(r.tags()).containsExactly("http", "v1", "dc-east");
    }

    @Test
    void addressIsTheBindingsUnlessAllAddressesOrIpFlag() {
        assertThat(one(new C().publish("80/tcp", "0.0.0.0", "8080")).address()).isEqualTo("10.9.9.9");
        assertThat(one(new C().publish("80/tcp", "", "8080")).address()).isEqualTo("10.9.9.9");
        RegistratorConfig withIp = config(false, false, List.of(), "192.0.2.7", 0);
        assertThat(ServiceMapper.map(new C().publish("80/tcp", "127.0.0.1", "8080").build(), withIp).get(0).address())
                .isEqualTo("192.0.2.7");
    }

    @Test
    void internalUsesTheContainerAddressAndExposedPortAndIncludesUnpublishedPorts() {
        RegistratorConfig internal = config(true, false, List.of(), null, 0);
        List<Registration> r = ServiceMapper.map(new C().publish("80/tcp", "127.0.0.1", "8080").expose("9000/tcp")
                .build(), internal);
        assertThat(r).extracting(Registration::address).containsOnly("172.17.0.5");
        assertThat(r).extracting(Registration::port).containsExactly(80, 9000);
        assertThat(r).extracting(Registration::name).containsExactly("nginx-80", "nginx-9000");
    }

    @Test
    void hostNetworkingRegistersExposedPortsOnTheHostAddress() {
        C c = new C();
        c.exposed.add("8500/tcp");
        Registration r = one(c);
        assertThat(r.address()).isEqualTo("10.9.9.9");
        assertThat(r.port()).isEqualTo(8500);
    }

    @Test
    void httpCheckTargetsTheRegisteredAddressWithDefaultInterval() {
        Registration r = one(new C().publish("80/tcp", "127.0.0.1", "8080").env("SERVICE_CHECK_HTTP=/health")
                .env("SERVICE_CHECK_TIMEOUT=2s").env("SERVICE_CHECK_HTTP_METHOD=HEAD"));
        assertThat(r.checks()).hasSize(1);
        Registration.Check c = r.checks().get(0);
        assertThat(c.http()).isEqualTo("http://127.0.0.1:8080/health");
        assertThat(c.interval()).isEqualTo("10s");
        assertThat(c.timeout()).isEqualTo("2s");
        assertThat(c.method()).isEqualTo("HEAD");
        assertThat(c.checkId()).isEqualTo("service:host1:web-1:80");
        assertThat(r.meta()).as("check keys are not Meta").isEmpty();
        assertThat(r.toJson().toString()).contains("\"Checks\":[{\"CheckID\":\"service:host1:web-1:80\","
                + "\"HTTP\":\"http://127.0.0.1:8080/health\",\"Method\":\"HEAD\",\"Interval\":\"10s\",\"Timeout\":\"2s\"}]");
    }

    @Test
    void tcpScriptAndTtlChecks() {
        Registration.Check tcp = one(new C().publish("80/tcp", "127.0.0.1", "8080").env("SERVICE_CHECK_TCP=true")
                .env("SERVICE_CHECK_INTERVAL=3s")).checks().get(0);
        assertThat(tcp.tcp()).isEqualTo("127.0.0.1:8080");
        assertThat(tcp.interval()).isEqualTo("3s");

        Registration.Check script = one(new C().publish("80/tcp", "127.0.0.1", "8080")
                .env("SERVICE_CHECK_SCRIPT=nc -z $SERVICE_IP $SERVICE_PORT")).checks().get(0);
        assertThat(script.args()).containsExactly("/bin/sh", "-c", "nc -z 127.0.0.1 8080");
        assertThat(script.interval()).isEqualTo("10s");

        Registration.Check ttl = one(new C().publish("80/tcp", "127.0.0.1", "8080").env("SERVICE_CHECK_TTL=30s")
                .env("SERVICE_CHECK_DEREGISTER_AFTER=5m")).checks().get(0);
        assertThat(ttl.ttl()).isEqualTo("30s");
        assertThat(ttl.interval()).as("a TTL check does not run").isNull();
        assertThat(ttl.deregisterAfter()).isEqualTo("5m");
    }

    @Test
    void httpWinsOverTcpAsInRegistrator() {
        Registration.Check c = one(new C().publish("80/tcp", "127.0.0.1", "8080").env("SERVICE_CHECK_TCP=true")
                .env("SERVICE_CHECK_HTTP=/")).checks().get(0);
        assertThat(c.http()).isNotNull();
        assertThat(c.tcp()).isNull();
    }

    @Test
    void aPortOwnCheckOverridesTheContainers() {
        List<Registration> r = map(new C().publish("80/tcp", "127.0.0.1", "8080").publish("81/tcp", "127.0.0.1", "8081")
                .env("SERVICE_CHECK_HTTP=/").env("SERVICE_81_CHECK_HTTP=/admin/ping"));
        assertThat(r.get(0).checks().get(0).http()).isEqualTo("http://127.0.0.1:8080/");
        assertThat(r.get(1).checks().get(0).http()).isEqualTo("http://127.0.0.1:8081/admin/ping");
    }

    @Test
    void ttlFlagAddsAPassingTtlCheckBesideTheContainersOwn() {
        RegistratorConfig ttl = config(false, false, List.of(), null, 30);
        Registration r = ServiceMapper.map(new C().publish("80/tcp", "127.0.0.1", "8080").env("SERVICE_CHECK_TCP=1")
                .build(), ttl).get(0);
        assertThat(r.checks()).extracting(Registration.Check::checkId)
                .containsExactly("service:host1:web-1:80", "service:host1:web-1:80:ttl");
        assertThat(r.checks().get(1).ttl()).isEqualTo("30s");
        assertThat(r.checks().get(1).status()).isEqualTo("passing");
    }

    @Test
    void ownershipIsTheHostContainerPortShapeWithThisHost() {
        assertThat(ServiceMapper.owns("host1:web-1:80", "host1")).isTrue();
        assertThat(ServiceMapper.owns("host1:web-1:53:udp", "host1")).isTrue();
        assertThat(ServiceMapper.owns("host2:web-1:80", "host1")).as("another host's").isFalse();
        assertThat(ServiceMapper.owns("web", "host1")).as("registered by hand").isFalse();
        assertThat(ServiceMapper.owns("host1:web-1:http", "host1")).isFalse();
        assertThat(ServiceMapper.owns("host1:web-1", "host1")).isFalse();
    }

    @Test
    void metadataHelperReportsPortKeys() {
        var fromPort = new HashSet<String>();
        Map<String, String> m = ServiceMapper.metadata(new C().env("SERVICE_80_NAME=a").env("SERVICE_NAME=b").build(),
                "80", fromPort);
        assertThat(m).containsEntry("name", "a");
        assertThat(fromPort).containsExactly("name");
    }

    @Test
    void configRejectsRegistratorsBadCombinations() {
        assertThatThrownBy(() -> new RegistratorConfig("h", null, "1.1.1.1", false, false, List.of(), Duration.ZERO,
                false, RegistratorConfig.Deregister.ALWAYS, 0, Duration.ofSeconds(1), Duration.ofSeconds(10),
                Duration.ZERO)).hasMessage("-ttl and -ttl-refresh must be specified together or not at all");
        assertThatThrownBy(() -> new RegistratorConfig("h", null, "1.1.1.1", false, false, List.of(), Duration.ZERO,
                false, RegistratorConfig.Deregister.ALWAYS, 0, Duration.ofSeconds(1), Duration.ofSeconds(10),
                Duration.ofSeconds(10))).hasMessage("-ttl must be greater than -ttl-refresh");
        assertThatThrownBy(() -> new RegistratorConfig("h", null, "1.1.1.1", false, false, List.of(), Duration.ZERO,
                false, RegistratorConfig.Deregister.ALWAYS, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO))
                .hasMessage("-retry-interval must be greater than 0");
        assertThatThrownBy(() -> RegistratorConfig.Deregister.parse("never"))
                .hasMessageContaining("\"always\" or \"on-success\"");
    }
}

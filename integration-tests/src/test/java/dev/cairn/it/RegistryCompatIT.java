package dev.cairn.it;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.agent.model.NewService;
import com.ecwid.consul.v1.health.HealthServicesRequest;
import com.ecwid.consul.v1.health.model.Check.CheckStatus;
import com.ecwid.consul.v1.health.model.HealthService;
import com.ecwid.consul.v1.kv.model.GetValue;
import com.ecwid.consul.v1.kv.model.PutParams;
import com.ecwid.consul.v1.session.model.NewSession;
import com.ecwid.consul.v1.session.model.Session;
import com.google.common.net.HostAndPort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.kiwiproject.consul.AgentClient;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.HealthClient;
import org.kiwiproject.consul.KeyValueClient;
import org.kiwiproject.consul.SessionClient;
import org.kiwiproject.consul.model.ConsulResponse;
import org.kiwiproject.consul.model.agent.ImmutableRegistration;
import org.kiwiproject.consul.model.agent.Registration;
import org.kiwiproject.consul.model.health.HealthCheck;
import org.kiwiproject.consul.model.health.ServiceHealth;
import org.kiwiproject.consul.model.kv.Value;
import org.kiwiproject.consul.model.session.ImmutableSession;
import org.kiwiproject.consul.model.session.SessionInfo;
import org.kiwiproject.consul.option.QueryOptions;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service-registry side of the Ecwid consul-api (1.4.5, Spring Cloud Consul 4) and kiwiproject
 * consul-client (1.4.0) clients against a real server: agent registration with a TTL check, the
 * catalog, health with and without the passing filter, a blocking health query, the TTL heartbeat,
 * and sessions with KV acquire/release.
 */
@ExtendWith(CairnProcessExtension.class)
class RegistryCompatIT {

    private static final Duration PARKED = Duration.ofMillis(300);
    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    static CairnProcess server;
    static ConsulClient ecwid;
    static Consul kiwi;

    @BeforeAll
    static void start() {
        server = CairnProcess.start(dir);
        ecwid = new ConsulClient("127.0.0.1", server.httpPort());
        kiwi = Consul.builder().withHostAndPort(HostAndPort.fromParts("127.0.0.1", server.httpPort())).build();
    }

    @AfterAll
    static void stop() {
        if (kiwi != null) {
            kiwi.destroy();
        }
        server.close();
    }

    // ------------------------------------------------------------------ Ecwid

    @Test
    void ecwidRegistersWithATtlCheckHeartbeatsAndDeregistersAsSpringCloudConsulDoes() {
        NewService service = new NewService();
        service.setId("ecwid-web-1");
        service.setName("ecwid-web");
        service.setTags(List.of("blue", "v1"));
        service.setAddress("127.0.0.1");
        service.setPort(8080);
        service.setMeta(Map.of("version", "1"));
        NewService.Check check = new NewService.Check();
        check.setTtl("30s");
        service.setCheck(check);

        ecwid.agentServiceRegister(service);

        com.ecwid.consul.v1.agent.model.Service agent = ecwid.getAgentServices().getValue().get("ecwid-web-1");
        assertThat(agent).isNotNull();
        assertThat(agent.getService()).isEqualTo("ecwid-web");
        assertThat(agent.getPort()).isEqualTo(8080);
        assertThat(agent.getTags()).containsExactly("blue", "v1");
        assertThat(agent.getMeta()).containsEntry("version", "1");
        assertThat(ecwid.getCatalogServices(QueryParams.DEFAULT).getValue())
                .hasEntrySatisfying("ecwid-web", tags -> assertThat(tags).containsExactlyInAnyOrder("blue", "v1"));

        // a check with no Status starts critical: only passing=false (Spring's default) shows the instance
        assertThat(ecwidHealth("ecwid-web", true, QueryParams.DEFAULT).getValue()).isEmpty();
        List<HealthService> all = ecwidHealth("ecwid-web", false, QueryParams.DEFAULT).getValue();
        assertThat(all).hasSize(1);
        assertThat(all.get(0).getService().getId()).isEqualTo("ecwid-web-1");
        assertThat(all.get(0).getService().getAddress()).isEqualTo("127.0.0.1");
        assertThat(all.get(0).getChecks())
                .filteredOn(c -> c.getCheckId().equals("service:ecwid-web-1"))
                .singleElement().satisfies(c -> assertThat(c.getStatus()).isEqualTo(CheckStatus.CRITICAL));

        ecwid.agentCheckPass("service:ecwid-web-1");

        List<HealthService> passing = ecwidHealth("ecwid-web", true, QueryParams.DEFAULT).getValue();
        assertThat(passing).hasSize(1);
        assertThat(passing.get(0).getChecks()).extracting(c -> c.getStatus()).containsOnly(CheckStatus.PASSING);

        ecwid.agentServiceDeregister("ecwid-web-1");

        assertThat(ecwid.getAgentServices().getValue()).doesNotContainKey("ecwid-web-1");
        assertThat(ecwidHealth("ecwid-web", false, QueryParams.DEFAULT).getValue()).isEmpty();
        assertThat(ecwid.getCatalogServices(QueryParams.DEFAULT).getValue()).doesNotContainKey("ecwid-web");
    }

    @Test
    void ecwidBlockingHealthQueryReturnsOnARegistration() {
        Response<List<HealthService>> first = ecwidHealth("ecwid-api", false, QueryParams.DEFAULT);
        assertThat(first.getValue()).isEmpty();
        long index = first.getConsulIndex();

        CompletableFuture<Response<List<HealthService>>> watch = CompletableFuture.supplyAsync(
                () -> ecwidHealth("ecwid-api", false, new QueryParams(30, index)));
        await().during(PARKED).atMost(PARKED.plusSeconds(3)).until(() -> !watch.isDone());
        NewService service = new NewService();
        service.setId("ecwid-api-1");
        service.setName("ecwid-api");
        service.setPort(9000);
        ecwid.agentServiceRegister(service);

        await("the blocking health query to return").atMost(PROMPTLY).until(watch::isDone);
        Response<List<HealthService>> changed = watch.join();
        assertThat(changed.getValue()).extracting(h -> h.getService().getId()).containsExactly("ecwid-api-1");
        assertThat(changed.getConsulIndex()).isGreaterThan(index);
        ecwid.agentServiceDeregister("ecwid-api-1");
    }

    @Test
    void ecwidSessionWithANumericLockDelayAcquiresAndReleasesAKey() {
        NewSession newSession = new NewSession();
        newSession.setName("ecwid-leader");
        newSession.setLockDelay(1);   // Ecwid sends seconds as a bare number
        newSession.setTtl("30s");
        newSession.setBehavior(Session.Behavior.RELEASE);

        String id = ecwid.sessionCreate(newSession, QueryParams.DEFAULT).getValue();

        Session info = ecwid.getSessionInfo(id, QueryParams.DEFAULT).getValue();
        assertThat(info.getId()).isEqualTo(id);
        assertThat(info.getName()).isEqualTo("ecwid-leader");
        assertThat(info.getLockDelay()).as("nanoseconds").isEqualTo(1_000_000_000L);
        assertThat(info.getTtl()).isEqualTo("30s");
        assertThat(info.getBehavior()).isEqualTo(Session.Behavior.RELEASE);
        assertThat(info.getNode()).isEqualTo("it-node");

        PutParams acquire = new PutParams();
        acquire.setAcquireSession(id);
        assertThat(ecwid.setKVValue("ecwid/leader", "node-a", acquire).getValue()).isTrue();
        GetValue held = ecwid.getKVValue("ecwid/leader").getValue();
        assertThat(held.getSession()).isEqualTo(id);
        assertThat(held.getLockIndex()).isEqualTo(1L);
        assertThat(held.getDecodedValue()).isEqualTo("node-a");

        PutParams release = new PutParams();
        release.setReleaseSession(id);
        assertThat(ecwid.setKVValue("ecwid/leader", "node-a", release).getValue()).isTrue();
        GetValue released = ecwid.getKVValue("ecwid/leader").getValue();
        assertThat(released.getSession()).isNull();
        assertThat(released.getLockIndex()).isEqualTo(1L);

        assertThat(ecwid.renewSession(id, QueryParams.DEFAULT).getValue().getId()).isEqualTo(id);
        ecwid.sessionDestroy(id, QueryParams.DEFAULT);
        assertThat(ecwid.getSessionInfo(id, QueryParams.DEFAULT).getValue()).isNull();
    }

    // ------------------------------------------------------------------ kiwi

    @Test
    void kiwiRegistersWithATtlCheckPassesItAndDeregisters() throws Exception {
        AgentClient agent = kiwi.agentClient();
        HealthClient health = kiwi.healthClient();
        agent.register(ImmutableRegistration.builder()
                .id("kiwi-web-1").name("kiwi-web").address("127.0.0.1").port(9090).addTags("k1")
                .check(Registration.RegCheck.ttl(30))
                .build());

        assertThat(agent.isRegistered("kiwi-web-1")).isTrue();
        assertThat(kiwi.catalogClient().getServices().getResponse())
                .hasEntrySatisfying("kiwi-web", tags -> assertThat(tags).containsExactly("k1"));
        assertThat(health.getHealthyServiceInstances("kiwi-web").getResponse()).as("critical until the first pass").isEmpty();
        assertThat(health.getAllServiceInstances("kiwi-web").getResponse()).hasSize(1);

        agent.pass("kiwi-web-1");   // PUT /v1/agent/check/pass/service:kiwi-web-1

        List<ServiceHealth> healthy = health.getHealthyServiceInstances("kiwi-web").getResponse();
        assertThat(healthy).hasSize(1);
        assertThat(healthy.get(0).getService().getPort()).isEqualTo(9090);
        assertThat(healthy.get(0).getChecks()).extracting(HealthCheck::getStatus).containsOnly("passing");

        agent.deregister("kiwi-web-1");

        assertThat(agent.isRegistered("kiwi-web-1")).isFalse();
        assertThat(health.getAllServiceInstances("kiwi-web").getResponse()).isEmpty();
    }

    @Test
    void kiwiBlockingHealthyQueryReturnsOnARegistration() {
        HealthClient health = kiwi.healthClient();
        ConsulResponse<List<ServiceHealth>> first = health.getHealthyServiceInstances("kiwi-api");
        assertThat(first.getResponse()).isEmpty();
        BigInteger index = first.getIndex();

        // below OkHttp's default 10 s read timeout
        CompletableFuture<ConsulResponse<List<ServiceHealth>>> watch = CompletableFuture.supplyAsync(
                () -> health.getHealthyServiceInstances("kiwi-api", QueryOptions.blockSeconds(8, index).build()));
        await().during(PARKED).atMost(PARKED.plusSeconds(3)).until(() -> !watch.isDone());
        kiwi.agentClient().register(ImmutableRegistration.builder().id("kiwi-api-1").name("kiwi-api").port(9100).build());

        await("the blocking health query to return").atMost(PROMPTLY).until(watch::isDone);
        ConsulResponse<List<ServiceHealth>> changed = watch.join();
        assertThat(changed.getResponse()).extracting(h -> h.getService().getId())
                .as("no checks counts as passing").containsExactly("kiwi-api-1");
        assertThat(changed.getIndex()).isGreaterThan(index);
        kiwi.agentClient().deregister("kiwi-api-1");
    }

    @Test
    void kiwiSessionAcquiresAndReleasesAKey() {
        SessionClient sessions = kiwi.sessionClient();
        KeyValueClient kv = kiwi.keyValueClient();
        String id = sessions.createSession(ImmutableSession.builder()
                .name("kiwi-leader").lockDelay("1s").ttl("30s").behavior("release").build()).getId();

        SessionInfo info = sessions.getSessionInfo(id).orElseThrow();
        assertThat(info.getLockDelay()).isEqualTo(1_000_000_000L);
        assertThat(info.getName()).contains("kiwi-leader");
        assertThat(info.getTtl()).contains("30s");

        assertThat(kv.acquireLock("kiwi/leader", "node-b", id)).isTrue();
        Value held = kv.getValue("kiwi/leader").orElseThrow();
        assertThat(held.getSession()).contains(id);
        assertThat(held.getLockIndex()).isEqualTo(1);
        assertThat(held.getValueAsString()).contains("node-b");

        assertThat(kv.releaseLock("kiwi/leader", id)).isTrue();
        Value released = kv.getValue("kiwi/leader").orElseThrow();
        assertThat(released.getSession()).isEmpty();
        assertThat(released.getLockIndex()).isEqualTo(1);

        assertThat(sessions.renewSession(id)).hasValueSatisfying(s -> assertThat(s.getId()).isEqualTo(id));
        sessions.destroySession(id);
        assertThat(sessions.getSessionInfo(id)).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    /** As Spring Cloud Consul 4 asks: passing is always sent, true or false. */
    private static Response<List<HealthService>> ecwidHealth(String name, boolean passing, QueryParams params) {
        return ecwid.getHealthServices(name, HealthServicesRequest.newBuilder()
                .setPassing(passing).setQueryParams(params).build());
    }
}

package dev.cairn.registrator;

import dev.cairn.client.UnreachableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The sync loop against a fake Docker engine and a fake agent: events, policies, cleanup, failures. */
class RegistratorTest {

    private final FakeDocker docker = new FakeDocker();
    private final FakeAgent agent = new FakeAgent();
    private Registrator registrator;

    @AfterEach
    void stop() {
        if (registrator != null) {
            registrator.close();
        }
    }

    private void start(boolean cleanup, RegistratorConfig.Deregister deregister, int ttl) throws Exception {
        RegistratorConfig config = new RegistratorConfig("host1", null, "10.0.0.1", false, false, List.of(),
                Duration.ZERO, cleanup, deregister, 0, Duration.ofMillis(50), Duration.ofSeconds(ttl),
                Duration.ofMillis(ttl == 0 ? 0 : 200));
        registrator = new Registrator(docker, agent, config);
        registrator.start();
    }

    private static Container web(String id, String name, int hostPort, boolean running, long exitCode) {
        return new Container(id, name, "team/web:1", List.of("SERVICE_TAGS=http"), Map.of(), List.of("80/tcp"),
                Map.of("80/tcp", List.of(new Container.Binding("127.0.0.1", Integer.toString(hostPort)))), "bridge",
                "172.17.0.2", running, exitCode);
    }

    @Test
    void registersRunningContainersAtStartAndNewOnesOnStart() throws Exception {
        docker.put(web("c1", "/one", 8001, true, 0));
        start(false, RegistratorConfig.Deregister.ALWAYS, 0);
        await().until(() -> agent.services.containsKey("host1:one:80"));
        assertThat(agent.services.get("host1:one:80").port()).isEqualTo(8001);

        docker.put(web("c2", "/two", 8002, true, 0));
        docker.emit("start", "c2");
        await().until(() -> agent.services.containsKey("host1:two:80"));
        assertThat(agent.services.get("host1:two:80").tags()).containsExactly("http");
    }

    @Test
    void dieDeregistersAlwaysByDefault() throws Exception {
        docker.put(web("c1", "/one", 8001, true, 0));
        start(false, RegistratorConfig.Deregister.ALWAYS, 0);
        await().until(() -> agent.services.containsKey("host1:one:80"));
        docker.put(web("c1", "/one", 8001, false, 1));
        docker.emit("die", "c1");
        await().until(() -> agent.services.isEmpty());
    }

    @Test
    void onSuccessKeepsTheServicesOfAFailedContainerUntilItIsDestroyed() throws Exception {
        docker.put(web("c1", "/one", 8001, true, 0));
        docker.put(web("c2", "/two", 8002, true, 0));
        start(false, RegistratorConfig.Deregister.ON_SUCCESS, 0);
        await().until(() -> agent.services.size() == 2);

        docker.put(web("c1", "/one", 8001, false, 3));
        docker.put(web("c2", "/two", 8002, false, 0));
        docker.emit("die", "c1");
        docker.emit("die", "c2");
        await().until(() -> !agent.services.containsKey("host1:two:80"));
        assertThat(agent.services).as("exit 3: kept").containsKey("host1:one:80");

        docker.remove("c1");
        docker.emit("destroy", "c1");
        await().until(() -> agent.services.isEmpty());
    }

    @Test
    void cleanupRemovesOnlyThisHostsDanglingServices() throws Exception {
        agent.services.put("host1:gone:80", null);
        agent.services.put("host1:gone:53:udp", null);
        agent.services.put("host2:other:80", null);
        agent.services.put("web", null);
        agent.services.put("host1-web", null);
        docker.put(web("c1", "/one", 8001, true, 0));
        start(true, RegistratorConfig.Deregister.ALWAYS, 0);
        await().until(() -> !agent.services.containsKey("host1:gone:80"));
        assertThat(agent.services.keySet()).containsExactlyInAnyOrder("host1:one:80", "host2:other:80", "web",
                "host1-web");
    }

    @Test
    void withoutCleanupNothingUnknownIsRemoved() throws Exception {
        agent.services.put("host1:gone:80", null);
        docker.put(web("c1", "/one", 8001, true, 0));
        start(false, RegistratorConfig.Deregister.ALWAYS, 0);
        await().until(() -> agent.services.containsKey("host1:one:80"));
        assertThat(agent.services).containsKey("host1:gone:80");
    }

    @Test
    void aStartWhileCairnIsDownIsRegisteredOnceItIsBack() throws Exception {
        start(false, RegistratorConfig.Deregister.ALWAYS, 0);
        agent.down = true;
        docker.put(web("c1", "/one", 8001, true, 0));
        docker.emit("start", "c1");
        await().until(() -> agent.failures.get() >= 2);
        agent.down = false;
        await().until(() -> agent.services.containsKey("host1:one:80"));
    }

    @Test
    void aServiceLostByTheServerIsRegisteredAgainOnResync() throws Exception {
        docker.put(web("c1", "/one", 8001, true, 0));
        start(false, RegistratorConfig.Deregister.ALWAYS, 0);
        await().until(() -> agent.services.containsKey("host1:one:80"));
        agent.down = true;
        agent.services.clear();
        docker.put(web("c2", "/two", 8002, true, 0));
        docker.emit("start", "c2");
        await().until(() -> agent.failures.get() >= 1);
        agent.down = false;
        await().until(() -> agent.services.keySet().equals(Set.of("host1:one:80", "host1:two:80")));
    }

    @Test
    void aLostEventStreamReconnectsFromTheLastEventAndCatchesUp() throws Exception {
        docker.put(web("c1", "/one", 8001, true, 0));
        start(false, RegistratorConfig.Deregister.ALWAYS, 0);
        await().until(() -> agent.services.containsKey("host1:one:80"));
        docker.put(web("c2", "/two", 8002, true, 0));
        docker.emit("start", "c2");
        await().until(() -> agent.services.containsKey("host1:two:80"));
        long lastSeen = docker.clock.get();

        docker.breakStream();
        // while disconnected: one stops, another starts; the engine refuses a while
        docker.put(web("c1", "/one", 8001, false, 0));
        docker.put(web("c3", "/three", 8003, true, 0));
        docker.unavailable = true;
        await().until(() -> docker.pings.get() + docker.failedSubscriptions.get() >= 1);
        docker.unavailable = false;
        await().until(() -> agent.services.keySet().equals(Set.of("host1:two:80", "host1:three:80")));
        assertThat(docker.sinces).as("subscriptions: first from now, then from the last event seen")
                .containsExactly(0L, lastSeen);
    }

    @Test
    void aRegistrationTheServerRefusesIsLoggedNotRetriedInALoop() throws Exception {
        docker.put(new Container("c1", "/bad", "team/bad:1", List.of("SERVICE_CHECK_SCRIPT=true"), Map.of(),
                List.of("80/tcp"), Map.of("80/tcp", List.of(new Container.Binding("127.0.0.1", "8009"))), "bridge",
                "", true, 0));
        docker.put(web("c2", "/two", 8002, true, 0));
        start(false, RegistratorConfig.Deregister.ALWAYS, 0);
        await().until(() -> agent.services.containsKey("host1:two:80"));
        // six retry intervals: a retry loop would show as more refusals
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> agent.refused.get() == 1);
        assertThat(agent.services).doesNotContainKey("host1:bad:80");
    }

    @Test
    void ttlFlagPassesEachServicesTtlCheck() throws Exception {
        docker.put(web("c1", "/one", 8001, true, 0));
        start(false, RegistratorConfig.Deregister.ALWAYS, 2);
        await().until(() -> agent.passed.contains("service:host1:one:80:ttl"));
    }

    @Test
    void startFailsWhenCairnStaysUnreachable() {
        agent.down = true;
        RegistratorConfig config = new RegistratorConfig("host1", null, "10.0.0.1", false, false, List.of(),
                Duration.ZERO, false, RegistratorConfig.Deregister.ALWAYS, 2, Duration.ofMillis(10), Duration.ZERO,
                Duration.ZERO);
        registrator = new Registrator(docker, agent, config);
        assertThatThrownBy(registrator::start).isInstanceOf(UnreachableException.class);
        assertThat(agent.failures.get()).as("the first try and 2 retries").isEqualTo(3);
    }

    // ------------------------------------------------------------------ fakes

    static final class FakeDocker implements ContainerSource {
        final Map<String, Container> containers = new ConcurrentHashMap<>();
        final List<Long> sinces = new CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(
                // event times are wall-clock epoch nanoseconds, as Docker's; a second ahead of "now"
                System.currentTimeMillis() * 1_000_000L + 1_000_000_000L);
        final AtomicInteger pings = new AtomicInteger();
        final AtomicInteger failedSubscriptions = new AtomicInteger();
        volatile boolean unavailable;
        volatile Listener listener;

        void put(Container c) {
            containers.put(c.id(), c);
        }

        void remove(String id) {
            containers.remove(id);
        }

        void emit(String action, String id) {
            listener.event(new Event(action, id, clock.incrementAndGet()));
        }

        void breakStream() {
            Listener l = listener;
            listener = null;
            l.closed(new RuntimeException("connection reset"));
        }

        @Override
        public String address() {
            return "fake";
        }

        @Override
        public void ping() {
            pings.incrementAndGet();
            check();
        }

        @Override
        public List<String> running() {
            check();
            return containers.values().stream().filter(Container::running).map(Container::id).toList();
        }

        @Override
        public Optional<Container> inspect(String id) {
            check();
            return Optional.ofNullable(containers.get(id));
        }

        @Override
        public AutoCloseable events(long sinceNanos, Listener l) {
            if (unavailable) {
                failedSubscriptions.incrementAndGet();
            }
            check();
            sinces.add(sinceNanos);
            listener = l;
            return () -> { };
        }

        private void check() {
            if (unavailable) {
                throw new SourceUnavailableException("cannot reach Docker at fake", null);
            }
        }

        @Override
        public void close() {
        }
    }

    static final class FakeAgent implements ServiceRegistry {
        final Map<String, Registration> services = new ConcurrentHashMap<>() {
            @Override
            public Registration put(String key, Registration value) {
                // a map that allows "registered by someone else" entries without a body
                return super.put(key, value == null ? new Registration(key, key, "", 0, List.of(), Map.of(), List.of())
                        : value);
            }
        };
        final Set<String> passed = ConcurrentHashMap.newKeySet();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        volatile boolean down;

        private void check() {
            if (down) {
                failures.incrementAndGet();
                throw new UnreachableException("http://fake", "connection refused", null);
            }
        }

        @Override
        public void ping() {
            check();
        }

        @Override
        public void register(Registration r) {
            check();
            if (r.checks().stream().anyMatch(c -> c.args() != null)) {
                refused.incrementAndGet();
                throw new dev.cairn.client.ApiException(400, "Scripts are disabled on this agent");
            }
            services.put(r.id(), r);
        }

        @Override
        public void deregister(String serviceId) {
            check();
            services.remove(serviceId);
        }

        @Override
        public Set<String> serviceIds() {
            check();
            return new TreeSet<>(services.keySet());
        }

        @Override
        public boolean passTtl(String checkId) {
            check();
            passed.add(checkId);
            return services.values().stream().anyMatch(r -> checkId.equals(ServiceMapper.ttlCheckId(r.id())));
        }
    }

    @SuppressWarnings("unused")
    private static List<String> ids(List<Registration> r) {
        return new ArrayList<>(r.stream().map(Registration::id).toList());
    }
}

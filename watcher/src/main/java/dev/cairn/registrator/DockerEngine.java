package dev.cairn.registrator;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker Engine API through docker-java over its unix socket (or TCP). Two HTTP clients: one
 * with a response timeout for list and inspect, one without for the event stream, which is one
 * long response.
 */
public final class DockerEngine implements ContainerSource {

    /** Docker's own default, used when {@code DOCKER_HOST} is not set. */
    public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);

    private final String host;
    private final DockerClient calls;
    private final DockerClient stream;

    public DockerEngine(String host) {
        this.host = host;
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        this.calls = client(config, RESPONSE_TIMEOUT);
        this.stream = client(config, null);
    }

    private static DockerClient client(DockerClientConfig config, Duration responseTimeout) {
        ApacheDockerHttpClient.Builder http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(CONNECT_TIMEOUT)
                .maxConnections(8);
        if (responseTimeout != null) {
            http.responseTimeout(responseTimeout);
        }
        return DockerClientImpl.getInstance(config, http.build());
    }

    @Override
    public String address() {
        return host;
    }

    @Override
    public void ping() {
        call(() -> calls.pingCmd().exec());
    }

    @Override
    public List<String> running() {
        return call(() -> calls.listContainersCmd().withShowAll(false).exec().stream()
                .map(com.github.dockerjava.api.model.Container::getId).toList());
    }

    @Override
    public Optional<Container> inspect(String id) {
        try {
            return Optional.of(convert(call(() -> calls.inspectContainerCmd(id).exec())));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public AutoCloseable events(long sinceNanos, Listener listener) {
        var cmd = stream.eventsCmd().withEventTypeFilter(EventType.CONTAINER)
                .withEventFilter("start", "die", "stop", "destroy");
        if (sinceNanos > 0) {
            cmd.withSince(String.format("%d.%09d", sinceNanos / 1_000_000_000L, sinceNanos % 1_000_000_000L));
        }
        ResultCallback.Adapter<com.github.dockerjava.api.model.Event> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(com.github.dockerjava.api.model.Event e) {
                String id = e.getActor() != null && e.getActor().getId() != null ? e.getActor().getId() : e.getId();
                String action = e.getAction() != null ? e.getAction() : e.getStatus();
                long nanos = e.getTimeNano() != null ? e.getTimeNano()
                        : (e.getTime() == null ? 0 : e.getTime() * 1_000_000_000L);
                listener.event(new Event(action, id, nanos));
            }

            @Override
            public void onError(Throwable t) {
                listener.closed(t);
            }

            @Override
            public void onComplete() {
                listener.closed(null);
            }
        };
        try {
            return cmd.exec(callback);
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    @Override
    public void close() {
        try {
            calls.close();
            stream.close();
        } catch (IOException e) {
            // closing sockets: nothing left to do
        }
    }

    /** The inspect answer, reduced to what {@link ServiceMapper} reads. */
    static Container convert(InspectContainerResponse r) {
        var config = r.getConfig();
        List<String> env = config.getEnv() == null ? List.of() : Arrays.asList(config.getEnv());
        Map<String, String> labels = config.getLabels() == null ? Map.of() : config.getLabels();
        List<String> exposed = new ArrayList<>();
        if (config.getExposedPorts() != null) {
            for (ExposedPort p : config.getExposedPorts()) {
                exposed.add(p.getPort() + "/" + p.getProtocol());
            }
        }
        Map<String, List<Container.Binding>> published = new LinkedHashMap<>();
        var settings = r.getNetworkSettings();
        String ip = "";
        if (settings != null) {
            if (settings.getPorts() != null) {
                for (Map.Entry<ExposedPort, Ports.Binding[]> e : settings.getPorts().getBindings().entrySet()) {
                    List<Container.Binding> bindings = new ArrayList<>();
                    if (e.getValue() != null) {
                        for (Ports.Binding b : e.getValue()) {
                            bindings.add(new Container.Binding(b.getHostIp(), b.getHostPortSpec()));
                        }
                    }
                    published.put(e.getKey().getPort() + "/" + e.getKey().getProtocol(), bindings);
                }
            }
            ip = settings.getIpAddress();
            if ((ip == null || ip.isEmpty()) && settings.getNetworks() != null) {
                ip = settings.getNetworks().values().stream().map(ContainerNetwork::getIpAddress)
                        .filter(a -> a != null && !a.isEmpty()).findFirst().orElse("");
            }
        }
        var state = r.getState();
        return new Container(r.getId(), r.getName(), config.getImage() == null ? "" : config.getImage(), env, labels,
                exposed, published, r.getHostConfig() == null ? "" : r.getHostConfig().getNetworkMode(), ip,
                state != null && Boolean.TRUE.equals(state.getRunning()),
                state == null || state.getExitCodeLong() == null ? 0 : state.getExitCodeLong());
    }

    private <T> T call(java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (NotFoundException e) {
            throw e;
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    private SourceUnavailableException unavailable(RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return new SourceUnavailableException("cannot reach Docker at " + host + " (DOCKER_HOST): " + why, e);
    }
}

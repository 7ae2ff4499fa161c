package dev.cairn.cli;

import dev.cairn.client.ApiException;
import dev.cairn.client.CairnClient;
import dev.cairn.client.UnreachableException;
import dev.cairn.registrator.AgentRegistry;
import dev.cairn.registrator.DockerEngine;
import dev.cairn.registrator.Registrator;
import dev.cairn.registrator.RegistratorConfig;
import dev.cairn.registrator.SourceUnavailableException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code cairn registrator}: gliderlabs/registrator against a Cairn agent. Mirrors running Docker
 * containers' published ports into the catalog (see {@link Registrator}) until SIGINT/SIGTERM.
 * Flags are Registrator's, spelled the same; the registry is {@code -http-addr} (or Registrator's
 * {@code consul://HOST:PORT} argument) instead of a URI.
 */
@Command(name = "registrator", sortOptions = false,
        description = {"Register the published ports of running Docker containers as services, and deregister "
                + "them when the containers stop (gliderlabs/registrator's job).",
                "Docker: $DOCKER_HOST (default " + DockerEngine.DEFAULT_HOST + "). Shape services with SERVICE_* "
                        + "environment variables or labels (README)."})
final class RegistratorCommand implements Callable<Integer> {

    private final Io io;

    @Mixin
    ClientOptions server;

    @Mixin
    HelpOption help;

    @Option(names = {"-ip", "--ip"}, paramLabel = "IP", description = "Address to register every service with "
            + "(default: each port's host binding; ports bound to all addresses get this host's address).")
    String ip;

    @Option(names = {"-internal", "--internal"},
            description = "Register the container's own address and exposed port instead of the published one.")
    boolean internal;

    @Option(names = {"-explicit", "--explicit"}, description = "Only register containers that set SERVICE_NAME.")
    boolean explicit;

    @Option(names = {"-tags", "--tags"}, paramLabel = "TAG,...", description = "Tags to add to every service.")
    String tags;

    @Option(names = {"-resync", "--resync"}, paramLabel = "SECONDS", defaultValue = "0",
            description = "Resync every service this often (default 0: only at start-up and after a reconnect).")
    int resync;

    @Option(names = {"-cleanup", "--cleanup"},
            description = "Remove this host's services (ids HOST:CONTAINER:PORT) whose container no longer runs.")
    boolean cleanup;

    @Option(names = {"-deregister", "--deregister"}, paramLabel = "always|on-success", defaultValue = "always",
            description = "Deregister a container's services when it stops: always (default), or on-success "
                    + "(exit code 0 or killed by a signal).")
    String deregister;

    @Option(names = {"-retry-attempts", "--retry-attempts"}, paramLabel = "N", defaultValue = "0",
            description = "Times to retry reaching Cairn at start-up (default 0; -1 forever).")
    int retryAttempts;

    @Option(names = {"-retry-interval", "--retry-interval"}, paramLabel = "MS", defaultValue = "2000",
            description = "Milliseconds between those retries, and between resyncs after a failure (default 2000).")
    long retryInterval;

    @Option(names = {"-ttl", "--ttl"}, paramLabel = "SECONDS", defaultValue = "0",
            description = "Give every service a TTL check of this many seconds (with -ttl-refresh).")
    int ttl;

    @Option(names = {"-ttl-refresh", "--ttl-refresh"}, paramLabel = "SECONDS", defaultValue = "0",
            description = "Pass those TTL checks this often (less than -ttl).")
    int ttlRefresh;

    @picocli.CommandLine.Parameters(paramLabel = "consul://HOST:PORT", arity = "0..1",
            description = "Registrator's registry URI, as an alternative to -http-addr.")
    String registryUri;

    RegistratorCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws InterruptedException {
        RegistratorConfig config = config();
        CairnClient http = new CairnClient(address(), server.token());
        String dockerHost = io.getenv("DOCKER_HOST") != null ? io.getenv("DOCKER_HOST") : DockerEngine.DEFAULT_HOST;
        Registrator registrator = Registrator.create(new DockerEngine(dockerHost), new AgentRegistry(http), config);
        CountDownLatch stop = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        try (AutoCloseable handlers = SignalForwarder.register(sig -> {
            LoggerFactory.getLogger(RegistratorCommand.class).info("SIG{}: stopping", sig);
            stop.countDown();
            // also ends a start-up still waiting for Cairn (-retry-attempts -1)
            main.interrupt();
        })) {
            try {
                registrator.start();
            } catch (SourceUnavailableException e) {
                io.error("cairn: " + e.getMessage());
                return 1;
            } catch (UnreachableException | ApiException | IllegalStateException e) {
                int tries = retryAttempts + 1;
                io.error("cairn: " + e.getMessage() + " (after " + tries + (tries == 1 ? " attempt" : " attempts")
                        + "; see -retry-attempts)");
                return 1;
            }
            stop.await();
            return 0;
        } catch (InterruptedException e) {
            if (stop.getCount() == 0) {
                return 0;
            }
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            registrator.close();
        }
    }

    private java.net.URI address() {
        if (registryUri == null) {
            return server.address();
        }
        if (server.httpAddr != null) {
            throw new UsageException("give -http-addr or a consul://HOST:PORT argument, not both");
        }
        if (!registryUri.startsWith("consul://")) {
            throw new UsageException("registry \"" + registryUri + "\": only consul://HOST:PORT is supported");
        }
        return ClientOptions.parseAddress("http://" + registryUri.substring("consul://".length()), "registry URI");
    }

    private RegistratorConfig config() {
        if (resync < 0) {
            throw new UsageException("-resync must be 0 or more seconds, not " + resync);
        }
        if (ttl < 0 || ttlRefresh < 0) {
            throw new UsageException("-ttl and -ttl-refresh must be 0 or more seconds");
        }
        if (ip != null && !ip.matches("[0-9a-fA-F.:]+")) {
            throw new UsageException("Invalid -ip \"" + ip + "\": expected an IP address");
        }
        String hostname = hostname();
        try {
            return new RegistratorConfig(hostname, ip, hostAddress(hostname), internal, explicit,
                    tags == null ? List.of() : Arrays.stream(tags.split(",")).map(String::strip)
                            .filter(t -> !t.isEmpty()).toList(),
                    Duration.ofSeconds(resync), cleanup, RegistratorConfig.Deregister.parse(deregister), retryAttempts,
                    Duration.ofMillis(retryInterval), Duration.ofSeconds(ttl), Duration.ofSeconds(ttlRefresh));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** As Go's os.Hostname(): the kernel's host name. */
    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String h = System.getenv("HOSTNAME");
            return h == null || h.isBlank() ? "localhost" : h;
        }
    }

    /** The address of ports bound to 0.0.0.0: the host name resolved, as Registrator does. */
    private static String hostAddress(String hostname) {
        try {
            return InetAddress.getByName(hostname).getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}

package dev.cairn.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.cairn.it.Proxies.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code cairn registrator} against the real Docker engine and a real server: containers from the
 * busybox image (httpd on port 80, published on 127.0.0.1 only) appear in the catalog shaped by
 * their SERVICE_* variables and labels, leave it when stopped, are resynced after a registrator
 * restart, a lost Docker connection and a server restart, and reach haproxy through the template
 * daemon.
 */
@ExtendWith(CairnProcessExtension.class)
class RegistratorIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> CONTAINERS = new ArrayList<>();
    private static String host;

    @TempDir
    Path dir;

    @BeforeAll
    static void image(@TempDir Path work) throws Exception {
        Docker.buildImage(work);
        // the registrator names services HOST:CONTAINER:PORT after the same host name
        host = InetAddress.getLocalHost().getHostName();
    }

    @AfterAll
    static void removeContainers() {
        synchronized (CONTAINERS) {
            if (!CONTAINERS.isEmpty()) {
                List<String> cmd = new ArrayList<>(List.of("rm", "-f"));
                cmd.addAll(CONTAINERS);
                Docker.run(cmd.toArray(String[]::new));
            }
        }
    }

    private static String httpd(String what, String pathDir, String... runArgs) {
        String name = Docker.name(what);
        synchronized (CONTAINERS) {
            CONTAINERS.add(name);
        }
        Docker.startHttpd(name, pathDir, name, runArgs);
        return name;
    }

    private static JsonNode health(Http http, String service) {
        return http.get("/v1/health/service/" + service).json();
    }

    private static Set<String> ids(Http http, String service) {
        Set<String> ids = new TreeSet<>();
        http.get("/v1/catalog/service/" + service).json().forEach(s -> ids.add(s.path("ServiceID").asText()));
        return ids;
    }

    @Test
    void containersAppearShapedByTheirMetadataAndLeaveWhenStopped() throws Exception {
        String svc = "web-" + Long.toString(System.nanoTime(), 36);
        try (CairnProcess server = CairnProcess.start(dir.resolve("server"));
             RegistratorProcess reg = RegistratorProcess.start(dir, server.httpPort(), Map.of(), "-tags", "docker")) {
            Http http = server.http();
            String web = httpd("web", "x", "-p", "127.0.0.1::80",
                    "-e", "SERVICE_NAME=" + svc, "-e", "SERVICE_TAGS=http,blue", "-e", "SERVICE_VERSION=7",
                    "-e", "SERVICE_CHECK_HTTP=/", "-e", "SERVICE_CHECK_INTERVAL=1s", "-l", "SERVICE_OWNER=ops");
            String multi = httpd("multi", "x", "-p", "127.0.0.1::80", "-p", "127.0.0.1::81",
                    "-e", "SERVICE_NAME=" + svc + "-multi", "-e", "SERVICE_81_NAME=" + svc + "-admin",
                    "-e", "SERVICE_81_CHECK_TCP=true");
            String ignored = httpd("ignored", "x", "-p", "127.0.0.1::80", "-e", "SERVICE_NAME=" + svc + "-ignored",
                    "-l", "SERVICE_IGNORE=true");
            int webPort = Docker.hostPort(web, "80/tcp");

            await("the web container's service, its HTTP check passing").atMost(WAIT).until(() ->
                    health(http, svc).size() == 1 && health(http, svc).get(0).path("Checks").findValuesAsText("Status")
                            .equals(List.of("passing", "passing")));
            JsonNode s = health(http, svc).get(0).path("Service");
            assertThat(s.path("ID").asText()).isEqualTo(host + ":" + web + ":80");
            assertThat(s.path("Address").asText()).isEqualTo("127.0.0.1");
            assertThat(s.path("Port").asInt()).isEqualTo(webPort);
            assertThat(s.path("Tags").toString()).isEqualTo("[\"http\",\"blue\",\"docker\"]");
            assertThat(s.path("Meta").toString()).isEqualTo("{\"owner\":\"ops\",\"version\":\"7\"}");
            assertThat(health(http, svc).get(0).path("Checks").get(1).path("Definition").path("HTTP").asText())
                    .isEqualTo("http://127.0.0.1:" + webPort + "/");

            await("both ports of the multi container").atMost(WAIT).until(() ->
                    ids(http, svc + "-multi-80").equals(Set.of(host + ":" + multi + ":80"))
                            && ids(http, svc + "-admin").equals(Set.of(host + ":" + multi + ":81")));
            assertThat(health(http, svc + "-admin").get(0).path("Checks").get(1).path("Definition").path("TCP").asText())
                    .isEqualTo("127.0.0.1:" + Docker.hostPort(multi, "81/tcp"));
            assertThat(http.get("/v1/catalog/services").json().has(svc + "-ignored")).as(ignored + " ignored").isFalse();

            Docker.stop(web);
            await("the stopped container's service gone").atMost(WAIT).until(() -> ids(http, svc).isEmpty());
            assertThat(ids(http, svc + "-admin")).as("the other container stays").hasSize(1);
            assertThat(reg.isAlive()).isTrue();
        }
    }

    @Test
    void aRestartedRegistratorResyncsAndCleanupTouchesOnlyItsOwnIds() throws Exception {
        String svc = "resync-" + Long.toString(System.nanoTime(), 36);
        try (CairnProcess server = CairnProcess.start(dir.resolve("server"))) {
            Http http = server.http();
            assertThat(http.put("/v1/agent/service/register",
                    "{\"ID\":\"by-hand\",\"Name\":\"" + svc + "\",\"Port\":1}").status()).isEqualTo(200);
            assertThat(http.put("/v1/agent/service/register",
                    "{\"ID\":\"other-host:" + "c1:80\",\"Name\":\"" + svc + "\",\"Port\":2}").status()).isEqualTo(200);
            String a = httpd("a", "x", "-p", "127.0.0.1::80", "-e", "SERVICE_NAME=" + svc);
            String b = httpd("b", "x", "-p", "127.0.0.1::80", "-e", "SERVICE_NAME=" + svc);
            RegistratorProcess reg = RegistratorProcess.start(dir, server.httpPort(), Map.of(), "-cleanup");
            await().atMost(WAIT).until(() -> ids(http, svc).equals(Set.of("by-hand", "other-host:c1:80",
                    host + ":" + a + ":80", host + ":" + b + ":80")));

            reg.kill9();
            Docker.stop(a);
            String c = httpd("c", "x", "-p", "127.0.0.1::80", "-e", "SERVICE_NAME=" + svc);
            assertThat(ids(http, svc)).as("nobody watching").contains(host + ":" + a + ":80")
                    .doesNotContain(host + ":" + c + ":80");

            try (RegistratorProcess again = RegistratorProcess.start(dir, server.httpPort(), Map.of(), "-cleanup")) {
                await("a's service removed, c's added, others' untouched").atMost(WAIT).until(() ->
                        ids(http, svc).equals(Set.of("by-hand", "other-host:c1:80", host + ":" + b + ":80",
                                host + ":" + c + ":80")));
                // the registrator logs the removal after the server answered it: wait for the line too
                await("the removal logged").atMost(WAIT).until(() -> again.log().contains("dangling"));
            }
        }
    }

    @Test
    void aLostDockerConnectionAndAServerRestartAreRiddenOut() throws Exception {
        String svc = "outage-" + Long.toString(System.nanoTime(), 36);
        try (CairnProcess server = CairnProcess.start(dir.resolve("server"));
             DockerSocketProxy proxy = new DockerSocketProxy(dir.resolve("docker.sock"), Path.of("/var/run/docker.sock"));
             RegistratorProcess reg = RegistratorProcess.start(dir, server.httpPort(),
                     Map.of("DOCKER_HOST", proxy.dockerHost()), "-retry-interval", "300")) {
            Http http = server.http();
            String a = httpd("a", "x", "-p", "127.0.0.1::80", "-e", "SERVICE_NAME=" + svc);
            await().atMost(WAIT).until(() -> ids(http, svc).equals(Set.of(host + ":" + a + ":80")));

            proxy.cut();
            await("the registrator to notice").atMost(WAIT).until(() -> reg.log().contains("event stream"));
            Docker.stop(a);
            String b = httpd("b", "x", "-p", "127.0.0.1::80", "-e", "SERVICE_NAME=" + svc);
            proxy.resume();
            await("events since the last one seen: a's die and b's start").atMost(WAIT).until(() ->
                    ids(http, svc).equals(Set.of(host + ":" + b + ":80")));
            assertThat(reg.log()).contains("reconnected to Docker at " + proxy.dockerHost());

            server.stop();
            String c = httpd("c", "x", "-p", "127.0.0.1::80", "-e", "SERVICE_NAME=" + svc);
            await("the failure to be seen").atMost(WAIT).until(() -> reg.log().contains("cannot reach Cairn"));
            server.restart();
            await("c registered once the server is back").atMost(WAIT).until(() ->
                    ids(http, svc).equals(Set.of(host + ":" + b + ":80", host + ":" + c + ":80")));
            assertThat(reg.isAlive()).isTrue();
        }
    }

    @Test
    void unreachableDockerOrServerIsAClearError() throws Exception {
        RegistratorProcess noDocker = RegistratorProcess.start(dir.resolve("a"), CairnProcess.freePort(),
                Map.of("DOCKER_HOST", "unix://" + dir.resolve("nothing.sock")));
        assertThat(noDocker.awaitExit(60)).isEqualTo(1);
        assertThat(noDocker.log()).contains("cannot reach Docker at unix://" + dir.resolve("nothing.sock")
                + " (DOCKER_HOST)");

        RegistratorProcess noServer = RegistratorProcess.start(dir.resolve("b"), CairnProcess.freePort(), Map.of(),
                "-retry-attempts", "2", "-retry-interval", "100");
        assertThat(noServer.awaitExit(60)).isEqualTo(1);
        assertThat(noServer.log()).contains("attempt 2/2").contains("cannot reach Cairn at http://127.0.0.1:")
                .contains("after 3 attempts");

        RegistratorProcess forever = RegistratorProcess.start(dir.resolve("d"), CairnProcess.freePort(), Map.of(),
                "-retry-attempts", "-1", "-retry-interval", "100");
        await("retrying").atMost(WAIT).until(() -> forever.log().contains("forever"));
        assertThat(forever.terminate()).as("SIGTERM ends a start-up that retries forever").isEqualTo(0);

        RegistratorProcess badFlags = RegistratorProcess.start(dir.resolve("c"), CairnProcess.freePort(), Map.of(),
                "-ttl", "10");
        assertThat(badFlags.awaitExit(60)).isEqualTo(2);
        assertThat(badFlags.log()).contains("-ttl and -ttl-refresh must be specified together");
    }

    @Test
    void aStartedContainerIsReachableThroughHaproxy() throws Exception {
        String svc = "e2e-" + Long.toString(System.nanoTime(), 36);
        int port = CairnProcess.freePort();
        Path source = dir.resolve("haproxy.cfg.ctmpl");
        Files.writeString(source, read(Proxies.examples().resolve("haproxy/haproxy.cfg.ctmpl"))
                .replace("127.0.0.1:18090", "127.0.0.1:" + port));
        Path cfg = dir.resolve("haproxy.cfg");
        Path pid = dir.resolve("haproxy.pid");
        Path reload = Proxies.script(dir.resolve("reload.sh"), "exec haproxy -D -f " + cfg + " -p " + pid
                + " -sf $(cat " + pid + " 2>/dev/null) >>" + dir.resolve("haproxy.out") + " 2>&1");
        Path config = dir.resolve("cairn.json");
        Files.writeString(config, """
                {"template": [{"source": "%s", "destination": "%s", "check_command": "haproxy -c -q -f $CAIRN_RENDERED", "command": "%s"}]}
                """.formatted(source, cfg, reload));
        TemplateDaemonProcess daemon = null;
        try (CairnProcess server = CairnProcess.start(dir.resolve("server"));
             RegistratorProcess reg = RegistratorProcess.start(dir, server.httpPort(), Map.of())) {
            daemon = TemplateDaemonProcess.start(dir, server, "-config", config.toString());
            await("haproxy started").atMost(WAIT).ignoreExceptions()
                    .until(() -> Proxies.get(port, "/" + svc + "/").status() == 503);

            String web = httpd("e2e", svc, "-p", "127.0.0.1::80", "-e", "SERVICE_NAME=" + svc,
                    "-e", "SERVICE_TAGS=http");
            int webPort = Docker.hostPort(web, "80/tcp");
            await("the container's port in haproxy.cfg").atMost(WAIT).until(() ->
                    read(cfg).contains("backend " + svc + "\n") && read(cfg).contains("127.0.0.1:" + webPort + " check"));
            await("a request through haproxy to reach the container").atMost(WAIT).ignoreExceptions()
                    .until(() -> Proxies.get(port, "/" + svc + "/").body().equals(web));

            Docker.stop(web);
            await("the backend gone once the container stopped").atMost(WAIT).until(() ->
                    !read(cfg).contains("127.0.0.1:" + webPort + " check"));
        } catch (Throwable t) {
            System.err.println("==== registrator/haproxy test failed; " + daemon + "\n==== haproxy.cfg\n" + read(cfg)
                    + "\n==== haproxy.out\n" + read(dir.resolve("haproxy.out")) + "\n==== registrator.log\n"
                    + read(dir.resolve("registrator.log")));
            throw t;
        } finally {
            if (daemon != null) {
                daemon.close();
            }
            Proxies.killProcessesMentioning(cfg.toString());
        }
    }
}

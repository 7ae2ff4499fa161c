package dev.cairn.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.cairn.it.Proxies.bodies;
import static dev.cairn.it.Proxies.count;
import static dev.cairn.it.Proxies.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's main job, end to end with real processes: a {@code cairn server}, a
 * {@code cairn template} daemon rendering examples/nginx/upstream.conf.ctmpl, and a real nginx
 * (examples/nginx/nginx.conf under a temp prefix, on a free loopback port) in front of two small
 * backends. Registrations must reach nginx through check ({@code nginx -t}, via
 * examples/nginx/check.sh) and one reload each; a broken value must never reach nginx; a server
 * killed and restarted must not stop the daemon.
 *
 * <p>The check and the reload are wrapped in scripts that append a line to a counter file and then
 * exec the real command, so the test counts exactly how often each ran.
 */
@ExtendWith(CairnProcessExtension.class)
class NginxTemplateIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void registrationsReachNginxThroughCheckAndOneReloadAndBrokenValuesNeverDo() throws Exception {
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        Files.createDirectories(prefix.resolve("logs"));
        Files.createDirectories(prefix.resolve("temp"));
        int nginxPort = CairnProcess.freePort();
        Files.writeString(prefix.resolve("nginx.conf"), read(Proxies.examples().resolve("nginx/nginx.conf"))
                .replace("127.0.0.1:18080", "127.0.0.1:" + nginxPort));
        Path upstream = prefix.resolve("upstream.conf");
        // what nginx starts with, before the daemon's first render replaces it
        Files.writeString(upstream, "upstream web {\n  server 127.0.0.1:65535 down;\n}\n");
        String nginx = "nginx -p " + prefix + " -c " + prefix.resolve("nginx.conf");
        Path checks = dir.resolve("checks");
        Path reloads = dir.resolve("reloads");
        Path check = Proxies.script(dir.resolve("check.sh"),
                "echo check >> " + checks + "\nexec " + Proxies.examples().resolve("nginx/check.sh") + " " + prefix);
        Path reload = Proxies.script(dir.resolve("reload.sh"), "echo reload >> " + reloads + "\nexec " + nginx + " -s reload");
        Path config = dir.resolve("cairn.json");
        Files.writeString(config, """
                {"retry": {"backoff": "100ms", "max_backoff": "1s"},
                 "template": [{"source": "%s", "destination": "%s", "check_command": "%s", "command": "%s"}]}
                """.formatted(Proxies.examples().resolve("nginx/upstream.conf.ctmpl"), upstream, check, reload));

        Process nginxProcess = null;
        TemplateDaemonProcess daemon = null;
        try (CairnProcess server = CairnProcess.start(dir.resolve("server"));
             Backend b1 = new Backend("b1");
             Backend b2 = new Backend("b2")) {
            Http http = server.http();
            nginxProcess = new ProcessBuilder(nginx.split(" "))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("nginx.out").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            Process n = nginxProcess;
            await("nginx to listen on " + nginxPort).atMost(WAIT).ignoreExceptions()
                    .until(() -> n.isAlive() && Proxies.get(nginxPort, "/").status() == 502);

            daemon = TemplateDaemonProcess.start(dir, server, "-config", config.toString());
            TemplateDaemonProcess d = daemon;
            await("the first render: no instance yet").atMost(WAIT)
                    .until(() -> read(upstream).contains("# no healthy instance") && count(reloads) == 1);
            assertThat(count(checks)).isEqualTo(1);

            // a backend registers: checked, written, one reload, and nginx reaches it
            register(http, b1);
            await("b1 in upstream.conf").atMost(WAIT).until(() -> read(upstream).contains(":" + b1.port() + ";"));
            await("one reload for b1").atMost(WAIT).until(() -> count(reloads) == 2);
            assertThat(count(checks)).as("nginx -t ran on the new file").isEqualTo(2);
            assertThat(read(upstream)).doesNotContain("no healthy instance");
            await("nginx to answer from b1").atMost(WAIT).until(() -> bodies(nginxPort, "/", 1).equals(List.of("200 b1")));

            register(http, b2);
            await("nginx to answer from b2 too").atMost(WAIT)
                    .until(() -> bodies(nginxPort, "/", 4).contains("200 b2"));
            assertThat(count(reloads)).as("one reload per change").isEqualTo(3);

            // it deregisters: gone from the file and from nginx's answers
            assertThat(http.put("/v1/agent/service/deregister/b2", "").status()).isEqualTo(200);
            await("b2 gone from upstream.conf").atMost(WAIT).until(() -> !read(upstream).contains(":" + b2.port() + ";"));
            await("nginx to answer only from b1").atMost(WAIT)
                    .until(() -> bodies(nginxPort, "/", 6).stream().allMatch(b -> b.equals("200 b1")));
            assertThat(count(reloads)).isEqualTo(4);

            // a value that breaks the config: the check fails, nothing is written or reloaded
            String live = read(upstream);
            int checksBefore = count(checks);
            http.set("nginx/upstream_keepalive", ";;;");
            await("nginx -t to reject the broken upstream").atMost(WAIT).until(() -> count(checks) == checksBefore + 1);
            await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> count(reloads) == 4);
            assertThat(read(upstream)).as("the old file stays").isEqualTo(live);
            assertThat(d.log()).contains("check", "exited with status 1");
            assertThat(bodies(nginxPort, "/", 3)).containsOnly("200 b1");
            assertThat(http.delete("/v1/kv/nginx/upstream_keepalive").status()).isEqualTo(200);

            // the server dies hard and comes back on the same data dir and ports: the daemon rides through
            server.kill9();
            server.restart();
            register(http, b2);
            await("b2 back in upstream.conf after the restart").atMost(WAIT)
                    .until(() -> read(upstream).contains(":" + b2.port() + ";"));
            await("nginx to answer from b2 after the restart").atMost(WAIT)
                    .until(() -> bodies(nginxPort, "/", 4).contains("200 b2"));
            assertThat(d.isAlive()).isTrue();
            assertThat(read(upstream)).contains(":" + b1.port() + ";").contains("keepalive 16;");
        } catch (Throwable t) {
            System.err.println("==== nginx test failed; " + daemon + "\n==== nginx.out\n" + read(dir.resolve("nginx.out"))
                    + "\n==== error.log\n" + read(prefix.resolve("logs/error.log")));
            throw t;
        } finally {
            if (daemon != null) {
                daemon.close();
            }
            if (nginxProcess != null) {
                nginxProcess.destroy(); // SIGTERM: nginx's fast shutdown, workers included
                if (!nginxProcess.waitFor(10, TimeUnit.SECONDS)) {
                    nginxProcess.destroyForcibly();
                }
            }
            Proxies.killProcessesMentioning(prefix.toString());
        }
    }

    private static void register(Http http, Backend b) {
        Http.Response r = http.put("/v1/agent/service/register", b.registration("web"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }
}

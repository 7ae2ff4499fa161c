package dev.cairn.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.cairn.it.Proxies.count;
import static dev.cairn.it.Proxies.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * examples/haproxy/haproxy.cfg.ctmpl with a real haproxy: the daemon renders a whole haproxy.cfg,
 * checks it with {@code haproxy -c}, and (re)starts haproxy with {@code -D -sf OLD_PID} (haproxy's
 * own seamless reload). A service tagged http becomes a backend that requests reach; one without
 * the tag does not.
 */
@ExtendWith(CairnProcessExtension.class)
class HaproxyTemplateIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aServiceTaggedHttpBecomesABackendThatRequestsThroughHaproxyReach() throws Exception {
        int port = CairnProcess.freePort();
        Path source = dir.resolve("haproxy.cfg.ctmpl");
        Files.writeString(source, read(Proxies.examples().resolve("haproxy/haproxy.cfg.ctmpl"))
                .replace("127.0.0.1:18090", "127.0.0.1:" + port));
        Path cfg = dir.resolve("haproxy.cfg");
        Path pid = dir.resolve("haproxy.pid");
        Path checks = dir.resolve("checks");
        Path reloads = dir.resolve("reloads");
        Path check = Proxies.script(dir.resolve("check.sh"),
                "echo check >> " + checks + "\nexec haproxy -c -q -f \"$CAIRN_RENDERED\"");
        // the first run starts haproxy (no pid file yet); later runs replace it seamlessly
        Path reload = Proxies.script(dir.resolve("reload.sh"), "echo reload >> " + reloads
                + "\nexec haproxy -D -f " + cfg + " -p " + pid + " -sf $(cat " + pid + " 2>/dev/null)"
                + " >>" + dir.resolve("haproxy.out") + " 2>&1");
        Path config = dir.resolve("cairn.json");
        Files.writeString(config, """
                {"template": [{"source": "%s", "destination": "%s", "check_command": "%s", "command": "%s"}]}
                """.formatted(source, cfg, check, reload));

        TemplateDaemonProcess daemon = null;
        try (CairnProcess server = CairnProcess.start(dir.resolve("server"));
             Backend b1 = new Backend("b1");
             Backend other = new Backend("other")) {
            Http http = server.http();
            daemon = TemplateDaemonProcess.start(dir, server, "-config", config.toString());
            await("haproxy started by the first render").atMost(WAIT).ignoreExceptions()
                    .until(() -> count(reloads) == 1 && Proxies.get(port, "/web/").status() == 503);
            assertThat(read(cfg)).doesNotContain("backend ");

            assertThat(http.put("/v1/agent/service/register", b1.registration("web", "http")).status()).isEqualTo(200);
            assertThat(http.put("/v1/agent/service/register", other.registration("internal")).status()).isEqualTo(200);
            await("backend web in haproxy.cfg").atMost(WAIT)
                    .until(() -> read(cfg).contains("backend web\n") && read(cfg).contains("127.0.0.1:" + b1.port() + " check"));
            await("a request through haproxy to reach b1").atMost(WAIT).ignoreExceptions()
                    .until(() -> Proxies.get(port, "/web/hello").body().equals("b1"));
            assertThat(read(cfg)).as("not tagged http").doesNotContain("internal");
            assertThat(count(checks)).as("every write was checked").isEqualTo(count(reloads));
        } catch (Throwable t) {
            System.err.println("==== haproxy test failed; " + daemon + "\n==== haproxy.cfg\n" + read(cfg)
                    + "\n==== haproxy.out\n" + read(dir.resolve("haproxy.out")));
            throw t;
        } finally {
            if (daemon != null) {
                daemon.close();
            }
            // haproxy -D detaches from the test: stop it (and any old process still draining) by its config path
            Proxies.killProcessesMentioning(cfg.toString());
        }
    }
}

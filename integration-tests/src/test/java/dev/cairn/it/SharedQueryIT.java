package dev.cairn.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.cairn.it.Proxies.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Twenty templates reading {@code service:web} cost the server one parked request. The server
 * exposes no count of parked queries, so this counts what it is holding from the outside: the
 * daemon's established TCP connections to the server's HTTP port ({@code /proc/PID/fd} sockets
 * matched against {@code /proc/PID/net/tcp[6]}). Over HTTP/1.1 a parked request holds a
 * connection of its own, so the count is an upper bound on the daemon's parked queries (an idle
 * pooled connection would count too). Three templates on three distinct keys are the control: they
 * must show as three connections, so the twenty on {@code service:web} must add exactly one.
 */
@ExtendWith(CairnProcessExtension.class)
class SharedQueryIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int SHARING = 20;
    private static final List<String> KEYS = List.of("shared/a", "shared/b", "shared/c");

    @TempDir
    Path dir;

    @Test
    void twentyTemplatesOnOneQueryHoldOneConnectionOnTheServer() throws Exception {
        StringBuilder templates = new StringBuilder();
        for (int i = 0; i < SHARING; i++) {
            templates.append(i == 0 ? "" : ",\n").append("""
                    {"contents": "{{#service:web}}{{Port}} {{/service:web}}", "destination": "%s"}"""
                    .formatted(dir.resolve("web-" + i + ".txt")));
        }
        for (String key : KEYS) {
            templates.append(",\n").append("""
                    {"contents": "{{key:%s}}", "destination": "%s"}""".formatted(key, dir.resolve(key.replace('/', '-') + ".txt")));
        }
        Path config = dir.resolve("cairn.json");
        Files.writeString(config, "{\"template\": [\n" + templates + "\n]}\n");

        TemplateDaemonProcess daemon = null;
        try (CairnProcess server = CairnProcess.start(dir.resolve("server"))) {
            Http http = server.http();
            for (String key : KEYS) {
                http.set(key, key);
            }
            assertThat(http.put("/v1/agent/service/register",
                    "{\"ID\":\"web-1\",\"Name\":\"web\",\"Address\":\"127.0.0.1\",\"Port\":9001}").status()).isEqualTo(200);
            daemon = TemplateDaemonProcess.start(dir, server, "-config", config.toString());
            await("all templates written").atMost(WAIT)
                    .until(() -> allContain("9001 ") && Files.exists(dir.resolve("shared-c.txt")));

            long pid = daemon.pid();
            await("the daemon to hold 3 + 1 connections to the server, steadily").atMost(WAIT)
                    .during(Duration.ofSeconds(2))
                    .until(() -> connections(pid, server.httpPort()) == KEYS.size() + 1);
            // and counted on the server itself: Consul's consul.rpc.queries_blocking gauge
            await("the server to hold 3 + 1 parked blocking queries").atMost(WAIT)
                    .until(() -> http.parkedQueries() == KEYS.size() + 1);

            // that one connection is the live, shared blocking query: a change reaches all twenty
            assertThat(http.put("/v1/agent/service/register",
                    "{\"ID\":\"web-2\",\"Name\":\"web\",\"Address\":\"127.0.0.1\",\"Port\":9002}").status()).isEqualTo(200);
            await("all twenty re-rendered").atMost(WAIT).until(() -> allContain("9002 "));
            await("still 3 + 1 connections").atMost(WAIT).during(Duration.ofSeconds(1))
                    .until(() -> connections(pid, server.httpPort()) == KEYS.size() + 1);
        } catch (Throwable t) {
            System.err.println("==== shared query test failed; " + daemon);
            throw t;
        } finally {
            if (daemon != null) {
                daemon.close();
            }
        }
    }

    private boolean allContain(String text) {
        for (int i = 0; i < SHARING; i++) {
            if (!read(dir.resolve("web-" + i + ".txt")).contains(text)) {
                return false;
            }
        }
        return true;
    }

    /** Established TCP connections owned by process {@code pid} to 127.0.0.1:{@code port}. */
    static int connections(long pid, int port) {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String remotePort = String.format(":%04X", port);
        int n = 0;
        for (String table : List.of("tcp", "tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", table))) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
                    if (f.length > 9 && f[2].endsWith(remotePort) && f[3].equals("01") && inodes.contains(f[9])) {
                        n++;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return n;
    }
}

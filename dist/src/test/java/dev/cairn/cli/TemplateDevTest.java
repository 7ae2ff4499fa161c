package dev.cairn.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code cairn template -dev}: one command that runs a store and the daemon watching it. Run as a
 * real process (this test's classpath, {@code dev.cairn.cli.Main}) so that SIGTERM is a real signal
 * and the exit code a real one.
 */
class TemplateDevTest {

    @TempDir
    Path dir;

    private Process process;

    @AfterEach
    void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    void devStartsAStoreRendersWhatIsPutThroughItsApiAndStopsCleanlyOnSigterm() throws Exception {
        Path template = Files.writeString(dir.resolve("nginx.ctmpl"),
                "worker_connections {{key:nginx/worker_connections?default=1024}};\n"
                        + "{{#service:web}}server {{Address}}:{{Port}};\n{{/service:web}}");
        Path out = dir.resolve("nginx.conf");
        Path pid = dir.resolve("template.pid");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.cairn.cli.Main",
                "template", "-dev", "-http-addr", "127.0.0.1:0", "-pid-file", pid.toString(),
                "-template", template + ":" + out)
                .redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String address = CompletableFuture.supplyAsync(() -> {
            Pattern p = Pattern.compile("-dev store on (http://\\S+)");
            try {
                for (String line; (line = lines.readLine()) != null; ) {
                    Matcher m = p.matcher(line);
                    if (m.find()) {
                        return m.group(1);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("the process ended without printing its address");
        }).get(60, TimeUnit.SECONDS);
        StringBuilder rest = new StringBuilder();
        Thread drain = new Thread(() -> {
            try {
                lines.lines().forEach(l -> rest.append(l).append('\n'));
            } catch (java.io.UncheckedIOException e) {
                // the process ended and its pipe was closed under us
            }
        });
        drain.setDaemon(true);
        drain.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(out));
        assertThat(Files.readString(out)).isEqualTo("worker_connections 1024;\n");
        assertThat(Files.readString(pid).strip()).isEqualTo(String.valueOf(process.pid()));

        HttpClient http = HttpClient.newHttpClient();
        put(http, address + "/v1/kv/nginx/worker_connections", "4096");
        put(http, address + "/v1/agent/service/register", "{\"ID\":\"web-1\",\"Name\":\"web\",\"Address\":\"10.0.0.5\",\"Port\":8080}");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.readString(out).equals("worker_connections 4096;\nserver 10.0.0.5:8080;\n"));

        process.destroy(); // SIGTERM
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped").isTrue();
        drain.join(5000);
        assertThat(process.exitValue()).as(rest.toString()).isZero();
        assertThat(pid).doesNotExist();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
                    .isEqualTo(List.of("nginx.conf", "nginx.ctmpl"));
        }
    }

    private static void put(HttpClient http, String url, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}

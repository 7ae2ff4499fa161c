package dev.cairn.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn template -once} as a real process against a real {@code cairn server} process:
 * what deploy scripts do. The command of a template must run when, and only when, its output
 * changed.
 */
@ExtendWith(CairnProcessExtension.class)
class TemplateOnceIT {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    static Path serverDir;
    static CairnProcess server;
    static Http http;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = CairnProcess.start(serverDir);
        http = server.http();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The result of one {@code cairn template ...} process. */
    record Run(int exitCode, String stdout, String stderr) {
    }

    /** Starts {@code java -jar cairn.jar template ARGS} in the test's folder, pointed at the server. */
    private Process startTemplate(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(CairnProcess.javaBinary(), "-jar", CairnProcess.jar().toString(),
                "template"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("CONSUL_HTTP_ADDR");
        pb.environment().put("CAIRN_HTTP_ADDR", "127.0.0.1:" + server.httpPort());
        return pb.start();
    }

    private Run finish(Process p) throws Exception {
        if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("cairn template did not exit within " + COMMAND_TIMEOUT + "; stderr: "
                    + read("stderr.txt"));
        }
        return new Run(p.exitValue(), read("stdout.txt"), read("stderr.txt"));
    }

    private Run template(String... args) throws Exception {
        return finish(startTemplate(args));
    }

    private String read(String name) {
        try {
            Path f = dir.resolve(name);
            return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void register(String json) {
        Http.Response r = http.put("/v1/agent/service/register", json);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    @Test
    void onceWritesTheOutputsAndRunsACommandOnlyWhenItsOutputChanged() throws Exception {
        register("{\"ID\":\"it-web-1\",\"Name\":\"itweb\",\"Tags\":[\"prod\"],\"Address\":\"10.0.0.1\",\"Port\":8080}");
        register("{\"ID\":\"it-web-2\",\"Name\":\"itweb\",\"Tags\":[\"prod\"],\"Port\":8081}");
        register("{\"ID\":\"it-web-3\",\"Name\":\"itweb\",\"Tags\":[\"prod\"],\"Port\":8082,"
                + "\"Check\":{\"TTL\":\"60s\",\"Status\":\"critical\"}}");
        http.set("itapp/config/max", "100");
        http.set("itapp/config/name", "caf\u00e9");
        Files.writeString(dir.resolve("nginx.ctmpl"), """
                upstream web {
                {{#service:itweb?tag=prod}}
                  server {{Address}}:{{Port}};
                {{/service:itweb?tag=prod}}
                }
                """);
        Files.writeString(dir.resolve("app.ctmpl"), """
                {{#tree:itapp/config}}
                {{Key}}={{Value}}
                {{/tree:itapp/config}}
                """);
        String[] args = {"-once",
                "-template", "nginx.ctmpl:out/nginx.conf:echo nginx >> marker",
                "-template", "app.ctmpl:out/app.properties:echo app:reloaded >> marker"};

        Run first = template(args);

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(read("out/nginx.conf")).isEqualTo("""
                upstream web {
                  server 10.0.0.1:8080;
                  server 127.0.0.1:8081;
                }
                """);
        assertThat(Files.readAllBytes(dir.resolve("out/app.properties")))
                .isEqualTo("max=100\nname=caf\u00e9\n".getBytes(StandardCharsets.UTF_8));
        assertThat(read("marker")).isEqualTo("nginx\napp:reloaded\n");

        Run again = template(args);
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(read("marker")).as("nothing changed, nothing reloaded").isEqualTo("nginx\napp:reloaded\n");

        http.set("itapp/config/max", "200");
        Run changed = template(args);
        assertThat(changed.exitCode()).as(changed.toString()).isZero();
        assertThat(read("out/app.properties")).isEqualTo("max=200\nname=caf\u00e9\n");
        assertThat(read("marker")).as("only the changed output's command ran").isEqualTo("nginx\napp:reloaded\napp:reloaded\n");
    }

    @Test
    void aMissingKeyIsWaitedForThenNamedWhenItNeverComes() throws Exception {
        Files.writeString(dir.resolve("k.ctmpl"), "limit={{key:itwait/limit}}\n");

        Run failed = template("-once", "-timeout", "2s", "-template", "k.ctmpl:k.conf");
        assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.stderr()).contains("cairn: k.ctmpl: gave up after 2s waiting for key itwait/limit");
        assertThat(dir.resolve("k.conf")).doesNotExist();

        Process waiting = startTemplate("-once", "-timeout", "60s", "-template", "k.ctmpl:k.conf");
        http.set("itwait/limit", "42");
        Run done = finish(waiting);
        assertThat(done.exitCode()).as(done.toString()).isZero();
        assertThat(read("k.conf")).isEqualTo("limit=42\n");
    }

    @Test
    void aBrokenTemplateExits1AndLeavesTheDestinationAlone() throws Exception {
        Files.writeString(dir.resolve("bad.ctmpl"), "one\n{{#service:x}}\n");
        Files.writeString(dir.resolve("bad.conf"), "previous\n");

        Run r = template("-once", "-template", "bad.ctmpl:bad.conf:echo ran >> marker");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("cairn: bad.ctmpl:2: ");
        assertThat(read("bad.conf")).isEqualTo("previous\n");
        assertThat(read("marker")).isEmpty();
    }
}

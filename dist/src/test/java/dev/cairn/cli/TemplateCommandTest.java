package dev.cairn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cairn template}: flags, exit codes and messages, against an in-process server. */
class TemplateCommandTest extends ServerTestBase {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name));
    }

    private static void http(String method, String path, String body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + addr + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static Cli.Result template(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "template";
        System.arraycopy(args, 0, all, 1, args.length);
        Map<String, String> env = new HashMap<>(env());
        env.put("GREETING", "hello");
        return Cli.run(env, all);
    }

    @Test
    void onceRendersWritesAndRunsTheCommandOnlyWhenTheFileChanged() throws Exception {
        cairn("kv", "put", p + "port", "8080");
        http("PUT", "/v1/agent/service/register", "{\"ID\":\"cmd-web-1\",\"Name\":\"cmdweb\",\"Port\":81}");
        Path t = write("app.ctmpl", "{{env:GREETING}} port={{key:" + p + "port}}\n"
                + "{{#service:cmdweb}}{{Address}}:{{Port}}\n{{/service:cmdweb}}");
        String spec = t + ":" + dir.resolve("app.conf") + ":echo reload >> '" + dir.resolve("marker") + "'";

        Cli.Result first = template("-once", "-template", spec);
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(read("app.conf")).isEqualTo("hello port=8080\n127.0.0.1:81\n");
        assertThat(read("marker")).isEqualTo("reload\n");

        Cli.Result second = template("-once", "-template", spec);
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(read("marker")).as("unchanged output: no reload").isEqualTo("reload\n");
    }

    @Test
    void consulAddrIsAnotherNameForHttpAddr() throws Exception {
        cairn("kv", "put", p + "k", "v");
        Path t = write("t.ctmpl", "{{key:" + p + "k}}\n");
        Cli.Result r = Cli.run(Map.of(), "template", "-once", "-consul-addr", "http://" + addr,
                "-template", t + ":" + dir.resolve("t.out"));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(read("t.out")).isEqualTo("v\n");

        Cli.Result both = template("-once", "-consul-addr", addr, "-http-addr", addr, "-template", t + ":" + dir.resolve("x"));
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.stderr()).isEqualTo("cairn: give -http-addr or -consul-addr, not both\n");
    }

    @Test
    void dryPrintsAndDiffShowsChanges() throws Exception {
        cairn("kv", "put", p + "n", "2");
        Path t = write("d.ctmpl", "n={{key:" + p + "n}}\n");
        Path out = write("d.conf", "n=1\n");

        Cli.Result dry = template("-once", "-dry", "-template", t + ":" + out);
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(dry.out()).isEqualTo("> " + out + "\nn=2\n");

        Cli.Result diff = template("-once", "-dry", "-diff", "-template", t + ":" + out);
        assertThat(diff.out()).isEqualTo("--- " + out + "\n+++ " + out + "\n@@ -1 +1 @@\n-n=1\n+n=2\n");
        assertThat(read("d.conf")).isEqualTo("n=1\n");
    }

    @Test
    void parseOnlyListsQueriesWithoutAServer() throws Exception {
        Path t = write("q.ctmpl", "{{#tree:app/}}{{Key}}{{/tree:app/}}{{key:a?default=1}}");
        Cli.Result r = Cli.run(Map.of("CAIRN_HTTP_ADDR", "127.0.0.1:" + closedPort()),
                "template", "-parse-only", "-template", t + ":out");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo(t + "\n  tree:app\n  key:a?default=1\n");
    }

    @Test
    void aBrokenTemplateIsOneMessageWithFileAndLineAndExit1() throws Exception {
        Path bad = write("bad.ctmpl", "ok\n{{key:a?colour=red}}\n");
        Path dest = write("bad.conf", "untouched\n");

        Cli.Result r = template("-once", "-template", bad + ":" + dest);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("cairn: " + bad + ":2: ").contains("unknown parameter \"colour\"")
                .hasLineCount(1);
        assertThat(read("bad.conf")).isEqualTo("untouched\n");
    }

    @Test
    void aMissingKeyFailsAfterTheTimeoutNamingIt() throws Exception {
        Path t = write("m.ctmpl", "{{key:" + p + "absent}}\n");
        Cli.Result r = template("-once", "-timeout", "500ms", "-template", t + ":" + dir.resolve("m.conf"));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("cairn: " + t + ": gave up after 500ms waiting for key " + p
                + "absent (not in the store)\n");
        assertThat(dir.resolve("m.conf")).doesNotExist();
    }

    @Test
    void usageErrorsExit2() throws Exception {
        Path t = write("u.ctmpl", "x");
        assertThat(template("-once").stderr()).startsWith("cairn: no template given");
        assertThat(template("-once", "-template", t.toString()).exitCode()).isEqualTo(2);
        assertThat(template("-once", "-template", t.toString()).stderr())
                .isEqualTo("cairn: -template \"" + t + "\": no destination (expected SOURCE:DESTINATION[:COMMAND])\n");
        assertThat(template("-diff", "-template", t + ":o").stderr()).isEqualTo("cairn: -diff needs -once\n");
        assertThat(template("-once", "-wait", "9s:1s", "-template", t + ":o").stderr())
                .isEqualTo("cairn: Invalid -wait \"9s:1s\": min 9s is more than max 1s\n");
        assertThat(template("-log-level", "loud", "-template", t + ":o").exitCode()).isEqualTo(2);
        assertThat(template("-once", "-perms", "0999", "-template", t + ":o").exitCode()).isEqualTo(2);
        assertThat(template("-once", "-timeout", "soon", "-template", t + ":o").exitCode()).isEqualTo(2);
        assertThat(template("-once", "-timeout", "0s", "-template", t + ":o").exitCode()).isEqualTo(2);
        assertThat(template("-once", "-no-such-flag", "-template", t + ":o").exitCode()).isEqualTo(2);
    }

    @Test
    void permsAppliesToNewFiles() throws Exception {
        Path t = write("p.ctmpl", "x\n");
        Cli.Result r = template("-once", "-perms", "600", "-template", t + ":" + dir.resolve("p.conf"));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("p.conf")))).isEqualTo("rw-------");
        assertThat(read("p.conf").getBytes(StandardCharsets.UTF_8)).isEqualTo("x\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void configFilesAreReadAndTheirErrorsNameFileAndKeyWithExit2() throws Exception {
        cairn("kv", "put", p + "c", "from-config");
        Path t = write("c.ctmpl", "{{key:" + p + "c}}\n");
        Path json = write("daemon.json", "{\"template\": [{\"source\": \"" + t + "\", \"destination\": \""
                + dir.resolve("c.conf") + "\", \"perms\": \"0600\"}]}");
        Cli.Result ok = template("-once", "-config", json.toString());
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
        assertThat(read("c.conf")).isEqualTo("from-config\n");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("c.conf")))).isEqualTo("rw-------");

        Path bad = write("bad.yaml", "template:\n  - source: a\n    destination: b\n    comand: x\n");
        Cli.Result r = template("-config", bad.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).isEqualTo("cairn: " + bad + ": unknown key \"template[0].comand\"\n");
    }

    @Test
    void execRunsTheCommandOnceRenderedServesStatusAndExitsWithTheCommandsCode() throws Exception {
        cairn("kv", "put", p + "e", "1");
        Path t = write("e.ctmpl", "e={{key:" + p + "e}}\n");
        Path go = dir.resolve("go");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        java.util.concurrent.CompletableFuture<Cli.Result> run = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> template("-template", t + ":" + dir.resolve("e.conf"), "-status-addr", "127.0.0.1:" + port,
                        "-exec", "cat '" + dir.resolve("e.conf") + "' > '" + dir.resolve("seen.tmp") + "'; mv '"
                                + dir.resolve("seen.tmp") + "' '" + dir.resolve("seen") + "'; "
                                + "while [ ! -e '" + go + "' ]; do sleep 0.05; done; exit 3"));
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .pollInterval(java.time.Duration.ofMillis(20)).ignoreExceptions()
                    .until(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(health).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200
                            && Files.exists(dir.resolve("seen")));
            assertThat(read("seen")).as("the command starts after the file is written").isEqualTo("e=1\n");
        } finally {
            Files.writeString(go, ""); // never leave the child waiting
        }

        Cli.Result r = run.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
    }

    @Test
    void execAndStatusFlagUsageErrorsExit2() throws Exception {
        Path t = write("x.ctmpl", "x");
        Cli.Result lone = template("-exec-reload-signal", "SIGHUP", "-template", t + ":o");
        assertThat(lone.exitCode()).isEqualTo(2);
        assertThat(lone.stderr()).isEqualTo(
                "cairn: -exec-reload-signal, -exec-kill-signal and -exec-kill-timeout need -exec\n");
        assertThat(template("-once", "-exec", "true", "-template", t + ":o").exitCode()).isEqualTo(2);
        assertThat(template("-exec", "true", "-exec-kill-signal", "SIGWINCH", "-template", t + ":o").exitCode())
                .isEqualTo(2);
        Cli.Result badAddr = template("-status-addr", "nowhere", "-template", t + ":o");
        assertThat(badAddr.exitCode()).isEqualTo(2);
        assertThat(badAddr.stderr()).startsWith("cairn: Invalid -status-addr \"nowhere\"");
    }
}

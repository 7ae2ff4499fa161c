package dev.cairn.watcher;

import dev.cairn.template.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code -once}, {@code -dry} and {@code -parse-only} against a real in-process server: services
 * registered and keys written over HTTP, templates and outputs in a temp folder. Each test uses its
 * own keys and service names, since the server is shared by the class.
 */
class TemplateRunnerTest {

    static TestStore store;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void startStore() throws IOException {
        store = TestStore.start();
    }

    @AfterAll
    static void stopStore() {
        store.close();
    }

    // ------------------------------------------------------------------ helpers

    private Path template(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private TemplateSpec spec(Path source, String destination, String command) {
        return new TemplateSpec(source, dir.resolve(destination), command);
    }

    private Options options(TemplateSpec... specs) {
        return new Options(List.of(specs));
    }

    /** Options with a builder feel, so each test says only what differs from the defaults. */
    private static final class Options {
        List<TemplateSpec> specs;
        boolean dry;
        boolean diff;
        Duration timeout = TemplateRunner.Options.DEFAULT_TIMEOUT;

        Options(List<TemplateSpec> specs) {
            this.specs = specs;
        }

        Options dry() {
            dry = true;
            return this;
        }

        Options diff() {
            diff = true;
            return this;
        }

        Options timeout(Duration d) {
            timeout = d;
            return this;
        }

        TemplateRunner.Options build() {
            return new TemplateRunner.Options(specs, dry, diff, timeout, TemplateRunner.Options.DEFAULT_MODE,
                    TemplateRunner.Options.DEFAULT_COMMAND_TIMEOUT);
        }
    }

    private void once(Options options) throws Exception {
        once(store.client(), options);
    }

    private void once(StoreClient client, Options options) throws Exception {
        new TemplateRunner(client, options.build(), DataSource.local(Map.of("APP_ENV", "prod")),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .once();
    }

    private String read(String name) throws IOException {
        return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private String marker() throws IOException {
        Path m = dir.resolve("marker");
        return Files.exists(m) ? Files.readString(m) : "";
    }

    private String appendToMarker(String word) {
        return "echo " + word + " >> '" + dir.resolve("marker") + "'";
    }

    // ------------------------------------------------------------------ tests

    static final String NGINX = """
            upstream web {
            {{#service:web?tag=prod}}
              server {{Address}}:{{Port}};
            {{/service:web?tag=prod}}
            {{^service:web?tag=prod}}
              server 127.0.0.1:65535 down;  # no healthy instance
            {{/service:web?tag=prod}}
            }
            worker_connections {{key:nginx/worker_connections?default=1024}};
            """;

    static final String APP = """
            # app settings ({{env:APP_ENV}})
            {{#tree:app/config}}
            {{Key}}={{Value}}
            {{/tree:app/config}}
            """;

    @Test
    void rendersNginxAndAKvTreeAndRunsEachCommandOnlyWhenItsFileChanged() throws Exception {
        store.register("{\"ID\":\"web-1\",\"Name\":\"web\",\"Tags\":[\"prod\"],\"Address\":\"10.0.0.1\",\"Port\":8080}");
        store.register("{\"ID\":\"web-2\",\"Name\":\"web\",\"Tags\":[\"prod\"],\"Port\":8081}");
        store.register("{\"ID\":\"web-3\",\"Name\":\"web\",\"Tags\":[\"prod\"],\"Address\":\"10.0.0.3\",\"Port\":8082,"
                + "\"Check\":{\"TTL\":\"60s\",\"Status\":\"critical\"}}");
        store.register("{\"ID\":\"web-4\",\"Name\":\"web\",\"Tags\":[\"canary\"],\"Address\":\"10.0.0.4\",\"Port\":8083}");
        store.put("app/config/db", "postgres://db");
        store.put("app/config/name", "caf\u00e9");
        store.put("app/config/sub/deep", "{{not expanded}}");
        store.put("app/configuration", "not under app/config/");
        Options options = options(
                spec(template("nginx.ctmpl", NGINX), "nginx.conf", appendToMarker("nginx")),
                spec(template("app.ctmpl", APP), "app.properties", appendToMarker("app")));

        once(options);

        assertThat(read("nginx.conf")).isEqualTo("""
                upstream web {
                  server 10.0.0.1:8080;
                  server 127.0.0.1:8081;
                }
                worker_connections 1024;
                """);
        assertThat(Files.readAllBytes(dir.resolve("app.properties"))).isEqualTo("""
                # app settings (prod)
                db=postgres://db
                name=caf\u00e9
                sub/deep={{not expanded}}
                """.getBytes(StandardCharsets.UTF_8));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("nginx.conf"))))
                .isEqualTo("rw-r--r--");
        assertThat(marker()).isEqualTo("nginx\napp\n");

        once(options);
        assertThat(marker()).as("nothing changed: no command runs").isEqualTo("nginx\napp\n");

        store.put("app/config/db", "postgres://db2");
        once(options);
        assertThat(marker()).as("only the changed file's command runs").isEqualTo("nginx\napp\napp\n");
        assertThat(read("app.properties")).contains("db=postgres://db2\n");
        assertThat(files()).as("no temp files left").containsExactlyInAnyOrder(
                "nginx.ctmpl", "nginx.conf", "app.ctmpl", "app.properties", "marker");
    }

    @Test
    void servicesInstancesAreFetchedWhenARenderReachesThem() throws Exception {
        store.register("{\"ID\":\"api-1\",\"Name\":\"api\",\"Tags\":[\"hx\"],\"Address\":\"10.0.2.1\",\"Port\":9001}");
        store.register("{\"ID\":\"api-2\",\"Name\":\"api\",\"Tags\":[\"hx\",\"v2\"],\"Address\":\"10.0.2.2\",\"Port\":9002}");
        store.register("{\"ID\":\"auth-1\",\"Name\":\"auth\",\"Tags\":[\"hx\"],\"Port\":9100}");
        store.register("{\"ID\":\"other-1\",\"Name\":\"other\",\"Tags\":[\"internal\"],\"Port\":9200}");
        Path haproxy = template("haproxy.ctmpl", """
                {{#services:*?tag=hx}}
                backend {{Name}}
                {{#Instances}}
                  server {{ID}} {{Address}}:{{Port}} check
                {{/Instances}}
                {{/services:*?tag=hx}}
                """);

        once(options(spec(haproxy, "haproxy.cfg", "")));

        assertThat(read("haproxy.cfg")).isEqualTo("""
                backend api
                  server api-1 10.0.2.1:9001 check
                  server api-2 10.0.2.2:9002 check
                backend auth
                  server auth-1 127.0.0.1:9100 check
                """);
    }

    @Test
    void everyStoreQueryKindRendersFromTheServer() throws Exception {
        store.register("{\"ID\":\"db-1\",\"Name\":\"db\",\"Port\":5432}");
        store.register("{\"ID\":\"db-2\",\"Name\":\"db\",\"Port\":5433,\"Check\":{\"TTL\":\"60s\",\"Status\":\"warning\"}}");
        store.register("{\"ID\":\"db-3\",\"Name\":\"db\",\"Port\":5434}");
        store.maintenance("db-3", true);
        store.put("kinds/a", "1");
        store.put("kinds/b/c", "2");
        Path t = template("kinds.ctmpl", """
                states:{{#service:db?state=any}} {{ID}}={{Status}}{{/service:db?state=any}}
                passing:{{#service:db}} {{ID}}{{/service:db}}
                exists:{{#keyExists:kinds/a}} yes{{/keyExists:kinds/a}}{{^keyExists:kinds/zz}} no{{/keyExists:kinds/zz}}
                ls:{{#ls:kinds}} {{Key}}{{/ls:kinds}}
                tree:{{#tree:kinds}} {{Key}}{{/tree:kinds}}
                node:{{#node:tmpl-node}} {{Node}} {{Address}}{{#Services}} {{ID}}{{/Services}}{{/node:tmpl-node}}
                nodes:{{#nodes:*}} {{Node}}@{{Datacenter}}{{/nodes:*}}
                dcs:{{#datacenters:*}} {{.}}{{/datacenters:*}}
                key:{{key:kinds/a}} {{key:kinds/nope?default=dflt}}
                """);

        once(options(spec(t, "kinds.out", "")));

        String rendered = read("kinds.out");
        assertThat(rendered).contains("states: db-1=passing db-2=warning db-3=maintenance\n")
                .contains("passing: db-1\n")
                .contains("exists: yes no\n")
                .contains("ls: a\n")
                .contains("tree: a b/c\n")
                .contains("nodes: tmpl-node@dc1\n")
                .contains("dcs: dc1\n")
                .contains("key:1 dflt\n");
        assertThat(rendered).containsPattern("node: tmpl-node 127\\.0\\.0\\.1( \\S+)* db-1 db-2 db-3");
    }

    @Test
    void aMissingKeyMakesOnceWaitThenFailNamingTheKeyAndWritesNothing() throws Exception {
        Files.writeString(dir.resolve("limits.conf"), "old\n");
        Options options = options(
                spec(template("limits.ctmpl", "max={{key:missing/limit}}\n{{key:missing/other}}\n"), "limits.conf",
                        appendToMarker("limits")),
                spec(template("fine.ctmpl", "fine\n"), "fine.conf", ""))
                .timeout(Duration.ofSeconds(1));

        long start = System.nanoTime();
        assertThatThrownBy(() -> once(options))
                .isInstanceOf(RunException.class)
                .hasMessage(dir.resolve("limits.ctmpl") + ": gave up after 1s waiting for keys missing/limit, "
                        + "missing/other (not in the store)");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(read("limits.conf")).isEqualTo("old\n");
        assertThat(dir.resolve("fine.conf")).as("all or nothing").doesNotExist();
        assertThat(marker()).isEmpty();
    }

    @Test
    void keysWrittenWhileOnceWaitsAreRenderedWithTheQueriesTheyReveal() throws Exception {
        Options options = options(spec(template("later.ctmpl",
                "limit={{key:later/limit}}\n{{#key:later/limit}}{{key:later/revealed}}{{/key:later/limit}}\n"),
                "later.conf", ""));
        Set<String> waitedFor = ConcurrentHashMap.newKeySet();
        TemplateRunner runner = new TemplateRunner(store.client(), options.build(), DataSource.local(Map.of()),
                new PrintStream(out), new PrintStream(err))
                .onWait(keys -> keys.forEach(k -> waitedFor.add(k.argument())));
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
            try {
                runner.once();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });

        await().atMost(Duration.ofSeconds(20)).until(() -> waitedFor.contains("later/limit"));
        assertThat(run).isNotDone();
        store.put("later/limit", "7");
        await().atMost(Duration.ofSeconds(20)).until(() -> waitedFor.contains("later/revealed"));
        assertThat(run).as("the key revealed a section that needs another key").isNotDone();
        store.put("later/revealed", "and then this one");
        run.get(20, TimeUnit.SECONDS);

        assertThat(read("later.conf")).isEqualTo("limit=7\nand then this one\n");
    }

    @Test
    void aBrokenTemplateLeavesEveryDestinationUntouched() throws Exception {
        Files.writeString(dir.resolve("bad.conf"), "old\n");
        Path good = template("good.ctmpl", "good\n");
        Path bad = template("bad.ctmpl", "line one\n{{#tree:app}}\n{{/tree:other}}\n");
        Path unknown = template("unknown.ctmpl", "\n\n{{nope:x}}\n");

        assertThatThrownBy(() -> once(options(
                spec(good, "good.conf", appendToMarker("good")),
                spec(bad, "bad.conf", appendToMarker("bad")),
                spec(unknown, "unknown.conf", ""))))
                .isInstanceOf(RunException.class)
                .satisfies(e -> assertThat(((RunException) e).problems()).satisfiesExactly(
                        p -> assertThat(p).startsWith(bad + ":3: "),
                        p -> assertThat(p).startsWith(unknown + ":3: ").contains("unknown query kind \"nope\"")));

        assertThat(read("bad.conf")).isEqualTo("old\n");
        assertThat(dir.resolve("good.conf")).doesNotExist();
        assertThat(dir.resolve("unknown.conf")).doesNotExist();
        assertThat(marker()).isEmpty();
    }

    @Test
    void aMissingSourceIsOneMessage() {
        assertThatThrownBy(() -> once(options(spec(dir.resolve("nowhere.ctmpl"), "out.conf", ""))))
                .isInstanceOf(RunException.class)
                .hasMessage(dir.resolve("nowhere.ctmpl") + ": no such template file");
    }

    @Test
    void anUnwritableDestinationIsFoundBeforeAnythingIsWritten() throws Exception {
        Files.writeString(dir.resolve("plain-file"), "x");
        Path t = template("t.ctmpl", "t\n");

        assertThatThrownBy(() -> once(options(
                spec(t, "ok.conf", ""),
                spec(t, "plain-file/out.conf", ""),
                spec(t, "folder-out", ""))))
                .isInstanceOf(RunException.class)
                .satisfies(e -> assertThat(((RunException) e).problems()).containsExactly(
                        dir.resolve("plain-file/out.conf") + ": cannot write: " + dir.resolve("plain-file")
                                + " is not a folder"));
        assertThat(dir.resolve("ok.conf")).doesNotExist();

        Files.createDirectory(dir.resolve("a-folder"));
        assertThatThrownBy(() -> once(options(spec(t, "a-folder", ""))))
                .hasMessage(dir.resolve("a-folder") + ": cannot write: it is a folder");
    }

    @Test
    void aFailingCommandNamesTheTemplateAndItsExitStatus() throws Exception {
        Path t = template("cmd.ctmpl", "x\n");
        assertThatThrownBy(() -> once(options(spec(t, "cmd.conf", "echo reloading; exit 7"))))
                .isInstanceOf(RunException.class)
                .hasMessage(t + ": command \"echo reloading; exit 7\" exited with status 7");
        assertThat(read("cmd.conf")).isEqualTo("x\n");
        assertThat(printed()).as("the command's output is passed through").isEqualTo("reloading\n");
    }

    @Test
    void existingModeIsKeptAndNewFilesGetPerms() throws Exception {
        Path t = template("mode.ctmpl", "{{key:mode/value?default=v}}\n");
        Files.writeString(dir.resolve("kept.conf"), "old\n");
        Files.setPosixFilePermissions(dir.resolve("kept.conf"), PosixFilePermissions.fromString("rw-------"));
        TemplateRunner.Options o = new TemplateRunner.Options(List.of(spec(t, "kept.conf", ""), spec(t, "new.conf", "")),
                false, false, Duration.ofSeconds(5), 0640, Duration.ofSeconds(5));

        new TemplateRunner(store.client(), o, DataSource.local(Map.of()), new PrintStream(out), new PrintStream(err)).once();

        assertThat(read("kept.conf")).isEqualTo("v\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("kept.conf"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new.conf"))))
                .isEqualTo("rw-r-----");
    }

    @Test
    void dryPrintsWhatWouldBeWrittenAndWritesNothing() throws Exception {
        store.put("dry/name", "world");
        Path t = template("dry.ctmpl", "hello {{key:dry/name}}\n");

        once(options(spec(t, "dry.conf", appendToMarker("dry")), spec(t, "dry2.conf", "")).dry());

        assertThat(printed()).isEqualTo("> " + dir.resolve("dry.conf") + "\nhello world\n"
                + "> " + dir.resolve("dry2.conf") + "\nhello world\n");
        assertThat(dir.resolve("dry.conf")).doesNotExist();
        assertThat(marker()).isEmpty();
    }

    @Test
    void dryDiffPrintsAUnifiedDiffAgainstTheCurrentFile() throws Exception {
        store.put("diff/port", "8081");
        Files.writeString(dir.resolve("diff.conf"), "listen 8080;\nroot /srv;\n");
        Path t = template("diff.ctmpl", "listen {{key:diff/port}};\nroot /srv;\n");

        once(options(spec(t, "diff.conf", ""), spec(t, "absent.conf", "")).dry().diff());

        Path conf = dir.resolve("diff.conf");
        assertThat(printed()).isEqualTo("--- " + conf + "\n+++ " + conf + "\n@@ -1,2 +1,2 @@\n-listen 8080;\n+listen 8081;\n root /srv;\n"
                + "--- /dev/null\n+++ " + dir.resolve("absent.conf") + "\n@@ -0,0 +1,2 @@\n+listen 8081;\n+root /srv;\n");
        assertThat(read("diff.conf")).isEqualTo("listen 8080;\nroot /srv;\n");
    }

    @Test
    void parseOnlyListsEachTemplatesQueriesWithoutAServer() throws Exception {
        Path nginx = template("nginx.ctmpl", NGINX);
        Path app = template("app.ctmpl", APP);
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);

        TemplateRunner.printQueries(List.of(TemplateConfig.of(spec(nginx, "a", "")), TemplateConfig.of(spec(app, "b", ""))), ps);

        assertThat(printed()).isEqualTo(nginx + "\n"
                + "  service:web?tag=prod\n"
                + "  key:nginx/worker_connections?default=1024\n"
                + app + "\n"
                + "  env:APP_ENV\n"
                + "  tree:app/config\n");
    }

    @Test
    void anUnreachableServerFailsNamingIt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        StoreClient nowhere = new StoreClient(URI.create("http://127.0.0.1:" + port), null);
        Path t = template("u.ctmpl", "{{key:u/x}}\n");

        assertThatThrownBy(() -> once(nowhere, options(spec(t, "u.conf", ""))))
                .isInstanceOf(RunException.class)
                .hasMessage(t + ": cannot reach http://127.0.0.1:" + port + " for /v1/kv/u/x: connection refused");
        assertThat(dir.resolve("u.conf")).doesNotExist();
    }

    @Test
    void anUnknownDatacenterIsTheServersMessage() throws Exception {
        Path t = template("dc.ctmpl", "{{#service:web?dc=mars}}x{{/service:web?dc=mars}}\n");
        assertThatThrownBy(() -> once(options(spec(t, "dc.conf", ""))))
                .isInstanceOf(RunException.class)
                .hasMessageStartingWith(t + ": " + store.address() + " answered 400 to /v1/health/service/web?passing=1&dc=mars: ")
                .hasMessageContaining("mars");
    }

}

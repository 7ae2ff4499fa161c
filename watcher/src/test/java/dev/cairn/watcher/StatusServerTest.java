package dev.cairn.watcher;

import dev.cairn.template.DataSource;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code -status-addr}: /health and /metrics of a daemon running against a real in-process server. */
class StatusServerTest {

    static TestStore store;
    static final AtomicInteger TEST = new AtomicInteger();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private final String p = "status" + TEST.incrementAndGet() + "/";
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void startStore() throws IOException {
        store = TestStore.start();
    }

    @AfterAll
    static void stopStore() {
        store.close();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10));
    }

    private TemplateConfig template(String text, String dest, String check) {
        return new TemplateConfig(null, text, dir.resolve(dest), "", Duration.ofSeconds(30), check, null, false, null,
                true, null, null, false);
    }

    /** The daemon and its status server on a free loopback port; the server's base URI. */
    private URI start(TemplateConfig... templates) throws Exception {
        DaemonConfig config = new DaemonConfig(List.of(templates), DaemonConfig.Wait.OFF, DaemonConfig.DEFAULT_MAX_STALE,
                DaemonConfig.DEFAULT_BLOCK_QUERY_WAIT,
                new DaemonConfig.Retry(0, Duration.ofMillis(50), Duration.ofMillis(300)), "info", null, "INT", "HUP",
                null, null, DaemonConfig.DEFAULT_PERMS);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        TemplateDaemon d = new TemplateDaemon(store.client(), config, false, DataSource.local(Map.of()), quiet, quiet);
        StatusServer s = StatusServer.start(d, "127.0.0.1:0");
        open.add(d);
        open.add(s);
        d.start();
        return URI.create("http://127.0.0.1:" + s.port());
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------ tests

    @Test
    void healthIs503UntilEveryTemplateHasBeenRenderedThen200() throws Exception {
        store.put(p + "a", "1");
        URI base = start(template("a={{key:" + p + "a}}\n", "a.conf", ""),
                template("b={{key:" + p + "b}}\n", "b.conf", ""));
        eventually().until(() -> Files.exists(dir.resolve("a.conf"))
                && get(base, "/health").body().contains("\"rendered\":1"));
        HttpResponse<String> before = get(base, "/health");
        assertThat(before.statusCode()).isEqualTo(503);
        assertThat(before.body()).isEqualTo("{\"status\":\"rendering\",\"templates\":2,\"rendered\":1}\n");

        store.put(p + "b", "1");

        eventually().until(() -> get(base, "/health").statusCode() == 200);
        HttpResponse<String> after = get(base, "/health");
        assertThat(after.body()).isEqualTo("{\"status\":\"ok\",\"templates\":2,\"rendered\":2}\n");
        assertThat(after.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    void metricsCountRendersWritesAndFailuresPerTemplateInPrometheusText() throws Exception {
        store.put(p + "a", "1");
        store.put(p + "c", "1");
        URI base = start(template("a={{key:" + p + "a}}\n", "a.conf", ""),
                template("c={{key:" + p + "c}}\n", "c.conf", "false"));
        eventually().until(() -> "a=1\n".equals(read("a.conf")));
        store.put(p + "a", "2");
        eventually().until(() -> "a=2\n".equals(read("a.conf")));
        store.put(p + "a", "3");
        eventually().until(() -> "a=3\n".equals(read("a.conf")));
        TemplateDaemon d = (TemplateDaemon) open.get(0);
        eventually().until(() -> d.metrics().checkFailures() == 1);

        HttpResponse<String> r = get(base, "/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        Map<String, Double> samples = parsePrometheus(r.body());
        String a = "{template=\"" + dir.resolve("a.conf") + "\"}";
        String c = "{template=\"" + dir.resolve("c.conf") + "\"}";
        DaemonMetrics.PerTemplate am = d.metrics().byTemplate().get(dir.resolve("a.conf").toString());
        assertThat(samples).containsEntry("cairn_template_writes_total" + a, 3.0)
                .containsEntry("cairn_template_writes_total" + c, 0.0)
                .containsEntry("cairn_template_renders_total" + a, (double) am.renders())
                .containsEntry("cairn_template_render_errors_total" + a, 0.0)
                .containsEntry("cairn_template_check_failures_total" + c, 1.0)
                .containsEntry("cairn_template_check_failures_total" + a, 0.0)
                .containsEntry("cairn_template_command_failures_total" + a, 0.0)
                .containsEntry("cairn_template_watched_queries", 2.0)
                .containsEntry("cairn_template_change_to_write_seconds_count" + a, 3.0)
                .containsEntry("cairn_template_change_to_write_seconds_bucket{template=\"" + dir.resolve("a.conf")
                        + "\",le=\"+Inf\"}", 3.0)
                .containsKey("cairn_template_change_to_write_seconds_sum" + a);
        assertThat(am.renders()).isGreaterThanOrEqualTo(3);
        assertThat(samples.get("cairn_template_change_to_write_seconds_sum" + a)).isGreaterThanOrEqualTo(0.0);
    }

    @Test
    void onlyGetOnTheTwoPathsIsServed() throws Exception {
        URI base = start(template("x", "x.conf", ""));
        assertThat(get(base, "/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void aBadStatusAddressIsRefusedNamingIt() {
        assertThatThrownBy(() -> StatusServer.parseAddress("localhost")).hasMessageContaining("\"localhost\"");
        assertThatThrownBy(() -> new DaemonConfig.Builder().statusAddr("127.0.0.1:99999"))
                .hasMessageContaining("bad port");
    }

    private String read(String name) {
        try {
            Path f = dir.resolve(name);
            return Files.exists(f) ? Files.readString(f) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary)");
    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+");

    /**
     * Parses Prometheus text strictly enough to catch mistakes: every line is a HELP, a TYPE or a
     * sample; every sample belongs to a family whose HELP and TYPE came before it; a histogram's
     * samples are _bucket, _sum and _count. Samples by name and labels.
     */
    static Map<String, Double> parsePrometheus(String text) {
        Map<String, String> types = new HashMap<>();
        Set<String> helped = new HashSet<>();
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                helped.add(m.group(1));
            } else if ((m = TYPE.matcher(line)).matches()) {
                assertThat(types.put(m.group(1), m.group(2))).as("one TYPE per family: " + line).isNull();
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                String name = m.group(1);
                String family = name;
                if (!types.containsKey(name)) {
                    family = name.replaceFirst("_(bucket|sum|count)$", "");
                    assertThat(types.get(family)).as("family of " + name).isEqualTo("histogram");
                }
                assertThat(helped).as("HELP for " + family).contains(family);
                samples.put(name + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
            } else {
                throw new AssertionError("not Prometheus text: " + line);
            }
        }
        return samples;
    }
}

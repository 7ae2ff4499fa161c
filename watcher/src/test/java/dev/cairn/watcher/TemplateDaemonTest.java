package dev.cairn.watcher;

import dev.cairn.template.DataSource;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The daemon against a real in-process server: keys written over HTTP, templates and outputs in a
 * temp folder, commands appending to marker files. Each test uses its own keys (the server is
 * shared by the class); tests about the server itself (down, restarted, counting parked queries)
 * start their own.
 */
class TemplateDaemonTest {

    static TestStore store;
    static final AtomicInteger TEST = new AtomicInteger();

    @TempDir
    Path dir;

    /** This test's key prefix. */
    private final String p = "daemon" + TEST.incrementAndGet() + "/";
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<TemplateDaemon> daemons = new ArrayList<>();
    private final List<TestStore> stores = new ArrayList<>();
    /** Renders per destination file name, complete or not. */
    private final Map<String, AtomicInteger> renders = new ConcurrentHashMap<>();

    @BeforeAll
    static void startStore() throws IOException {
        store = TestStore.start();
    }

    @AfterAll
    static void stopStore() {
        store.close();
    }

    @AfterEach
    void stopDaemons() {
        daemons.forEach(TemplateDaemon::close);
        stores.forEach(TestStore::close);
    }

    // ------------------------------------------------------------------ helpers

    private static ConditionFactory eventually() {
        return Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10));
    }

    /** A template as a test wants it: defaults, then whatever the test changes. */
    private final class T {
        Path source;
        String dest;
        String command = "";
        String check = "";
        DaemonConfig.Wait wait;
        Duration commandTimeout = Duration.ofSeconds(30);

        T(String name, String text, String dest) throws IOException {
            this.source = Files.writeString(dir.resolve(name), text);
            this.dest = dest;
        }

        T command(String c) {
            command = c;
            return this;
        }

        T check(String c) {
            check = c;
            return this;
        }

        T wait(String w) {
            wait = DaemonConfig.Wait.parse(w);
            return this;
        }

        T commandTimeout(Duration d) {
            commandTimeout = d;
            return this;
        }

        TemplateConfig config() {
            return new TemplateConfig(source, null, dir.resolve(dest), command, commandTimeout, check, null, false, wait,
                    true, null, null, false);
        }
    }

    private static DaemonConfig config(Path pidFile, TemplateConfig... templates) {
        return new DaemonConfig(List.of(templates), DaemonConfig.Wait.OFF, DaemonConfig.DEFAULT_MAX_STALE,
                DaemonConfig.DEFAULT_BLOCK_QUERY_WAIT,
                new DaemonConfig.Retry(0, Duration.ofMillis(50), Duration.ofMillis(300)), "info", pidFile, "INT",
                "HUP", null, null, DaemonConfig.DEFAULT_PERMS);
    }

    private TemplateDaemon start(URI server, T... templates) throws Exception {
        return start(server, config(null, Stream.of(templates).map(T::config).toArray(TemplateConfig[]::new)));
    }

    private TemplateDaemon start(T... templates) throws Exception {
        return start(store.address(), templates);
    }

    private TemplateDaemon start(URI server, DaemonConfig config) throws Exception {
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        TemplateDaemon d = new TemplateDaemon(new StoreClient(server, null), config, false,
                DataSource.local(Map.of()), ps, ps);
        d.addListener(new TemplateDaemon.Listener() {
            @Override
            public void rendered(TemplateConfig template, boolean complete) {
                renders.computeIfAbsent(template.destination().getFileName().toString(), k -> new AtomicInteger())
                        .incrementAndGet();
            }
        });
        daemons.add(d);
        d.start();
        return d;
    }

    private int renders(String dest) {
        AtomicInteger n = renders.get(dest);
        return n == null ? 0 : n.get();
    }

    private String read(String name) {
        try {
            Path f = dir.resolve(name);
            return Files.exists(f) ? Files.readString(f) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private String append(String word, String marker) {
        return "echo " + word + " >> '" + dir.resolve(marker) + "'";
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void aTemplateIsFirstWrittenWhenItsKeyExistsEvenIfCreatedAfterStart() throws Exception {
        TemplateDaemon d = start(new T("a.ctmpl", "v={{key:" + p + "a}}\n", "a.conf").command(append("ran", "marker")));
        eventually().until(() -> renders("a.conf") >= 1);
        assertThat(dir.resolve("a.conf")).as("incomplete: not written").doesNotExist();

        store.put(p + "a", "1");

        eventually().until(() -> "v=1\n".equals(read("a.conf")));
        eventually().until(() -> "ran\n".equals(read("marker")));
        assertThat(d.metrics().writes()).isEqualTo(1);
    }

    @Test
    void aChangeReRendersOnlyTheTemplateThatUsesItAndRunsItsCommandOnce() throws Exception {
        store.put(p + "a", "1");
        store.put(p + "b", "1");
        start(new T("a.ctmpl", "a={{key:" + p + "a}}\n", "a.conf").command(append("a", "a.marker")),
                new T("b.ctmpl", "b={{key:" + p + "b}}\n", "b.conf").command(append("b", "b.marker")));
        eventually().until(() -> "a\n".equals(read("a.marker")) && "b\n".equals(read("b.marker")));
        int bRenders = renders("b.conf");

        store.put(p + "a", "2");

        eventually().until(() -> "a=2\n".equals(read("a.conf")));
        eventually().until(() -> "a\na\n".equals(read("a.marker")));
        assertThat(read("b.marker")).isEqualTo("b\n");
        assertThat(renders("b.conf")).as("b does not read a").isEqualTo(bRenders);
        assertThat(read("b.conf")).isEqualTo("b=1\n");
    }

    @Test
    void outputIdenticalToTheFileOnDiskIsNotWrittenAndRunsNoCommand() throws Exception {
        store.put(p + "t/x", "1");
        T keysOnly = new T("k.ctmpl", "{{#tree:" + p + "t}}{{Key}};{{/tree:" + p + "t}}\n", "k.conf")
                .command(append("ran", "marker"));
        TemplateDaemon d = start(keysOnly);
        eventually().until(() -> "ran\n".equals(read("marker")));
        Object inode = Files.getAttribute(dir.resolve("k.conf"), "unix:ino");
        int before = renders("k.conf");

        store.put(p + "t/x", "2"); // new data, same keys: same output

        eventually().until(() -> renders("k.conf") > before);
        assertThat(read("k.conf")).isEqualTo("x;\n");
        assertThat(Files.getAttribute(dir.resolve("k.conf"), "unix:ino")).as("not replaced").isEqualTo(inode);
        assertThat(read("marker")).isEqualTo("ran\n");
        assertThat(d.metrics().writes()).isEqualTo(1);
    }

    @Test
    void severalChangesWithinTheWaitMakeOneRenderAndOneReload() throws Exception {
        store.put(p + "q", "1");
        // MIN 5s: the three writes below must all land within it, also on a loaded 2-core CI machine
        TemplateDaemon d = start(new T("q.ctmpl", "q={{key:" + p + "q}}\n", "q.conf").wait("5s:50s")
                .command(append("ran", "marker")));
        eventually().until(() -> "ran\n".equals(read("marker")));
        int before = renders("q.conf");

        for (int v = 2; v <= 4; v++) {
            long seen = d.changesSeen();
            store.put(p + "q", String.valueOf(v));
            eventually().until(() -> d.changesSeen() > seen); // each change seen on its own
        }

        eventually().until(() -> "q=4\n".equals(read("q.conf")));
        eventually().until(() -> "ran\nran\n".equals(read("marker")));
        assertThat(renders("q.conf") - before).as("renders after the burst").isEqualTo(1);
    }

    @Test
    void aFailingCheckLeavesTheOldFileAndTheNextChangeIsTriedAgain() throws Exception {
        store.put(p + "c", "good1");
        Path dest = dir.resolve("c.conf");
        TemplateDaemon d = start(new T("c.ctmpl", "{{key:" + p + "c}}\n", "c.conf")
                .check("grep -q good \"$CAIRN_RENDERED\" && test \"$CAIRN_RENDERED\" != '" + dest + "'")
                .command(append("reload", "marker")));
        eventually().until(() -> "reload\n".equals(read("marker")));

        store.put(p + "c", "bad");
        eventually().until(() -> d.metrics().checkFailures() == 1);
        assertThat(read("c.conf")).isEqualTo("good1\n");
        assertThat(read("marker")).as("no reload for a failed check").isEqualTo("reload\n");
        assertThat(files()).as("the checked temp file is gone").containsExactlyInAnyOrder("c.ctmpl", "c.conf", "marker");

        store.put(p + "c", "good2");
        eventually().until(() -> "good2\n".equals(read("c.conf")));
        eventually().until(() -> "reload\nreload\n".equals(read("marker")));
    }

    @Test
    void aFailingCommandPutsThePreviousFileBackAndRunsTheCommandAgain() throws Exception {
        store.put(p + "r", "good1");
        Path dest = dir.resolve("r.conf");
        // a reload that fails on a config without "good", like nginx -s reload on a broken config
        TemplateDaemon d = start(new T("r.ctmpl", "{{key:" + p + "r}}\n", "r.conf")
                .command(append("reload", "marker") + "; grep -q good '" + dest + "'"));
        eventually().until(() -> "reload\n".equals(read("marker")));

        store.put(p + "r", "bad");

        eventually().until(() -> d.metrics().commandFailures() == 1);
        assertThat(read("r.conf")).isEqualTo("good1\n");
        eventually().until(() -> "reload\nreload\nreload\n".equals(read("marker")));

        store.put(p + "r", "good2");
        eventually().until(() -> "good2\n".equals(read("r.conf")));
    }

    @Test
    void twentyTemplatesSharingOneQueryMakeOneLoopAndOneParkedQuery() throws Exception {
        TestStore own = TestStore.start(0, null);
        stores.add(own);
        own.put("shared/k", "v");
        int serversOwn = own.parked(); // the server parks a watch of its own
        T[] templates = new T[20];
        for (int i = 0; i < templates.length; i++) {
            templates[i] = new T("s" + i + ".ctmpl", "{{key:shared/k}} " + i + "\n", "s" + i + ".conf");
        }
        TemplateDaemon d = start(own.address(), templates);
        for (int i = 0; i < templates.length; i++) {
            String dest = "s" + i + ".conf";
            String want = "v " + i + "\n";
            eventually().until(() -> want.equals(read(dest)));
        }

        assertThat(d.loopCount()).isEqualTo(1);
        eventually().until(own::parked, n -> n == serversOwn + 1);
        assertThat(d.metrics().watchedQueries()).isEqualTo(1);
    }

    @Test
    void startingWhileTheServerIsDownRendersOnceItIsUp(@TempDir Path data) throws Exception {
        int port = TestStore.freePort();
        TemplateDaemon d = start(URI.create("http://127.0.0.1:" + port),
                new T("d.ctmpl", "d={{key:down/k}}\n", "d.conf"));
        eventually().until(() -> renders("d.conf") >= 1 && d.loopCount() == 1);
        assertThat(dir.resolve("d.conf")).doesNotExist();

        TestStore late = TestStore.start(port, data);
        stores.add(late);
        late.put("down/k", "up");

        eventually().until(() -> "d=up\n".equals(read("d.conf")));
    }

    @Test
    void aServerRestartIsRiddenThroughAndTheNextChangeIsRendered(@TempDir Path data) throws Exception {
        int port = TestStore.freePort();
        TestStore first = TestStore.start(port, data);
        first.put("restart/k", "1");
        start(URI.create("http://127.0.0.1:" + port),
                new T("r.ctmpl", "r={{key:restart/k}}\n", "r.conf").command(append("ran", "marker")));
        eventually().until(() -> "r=1\n".equals(read("r.conf")));
        first.close();

        TestStore second = TestStore.start(port, data);
        stores.add(second);
        second.put("restart/k", "2");

        eventually().until(() -> "r=2\n".equals(read("r.conf")));
        eventually().until(() -> "ran\nran\n".equals(read("marker")));
    }

    @Test
    void aTemplateEditedOnDiskIsRenderedAgainAndABrokenEditKeepsTheLastOutput() throws Exception {
        store.put(p + "e", "1");
        T t = new T("e.ctmpl", "a={{key:" + p + "e}}\n", "e.conf");
        TemplateDaemon d = start(t);
        eventually().until(() -> "a=1\n".equals(read("e.conf")));

        Files.writeString(t.source, "b={{key:" + p + "e}}\n");
        eventually().atMost(Duration.ofSeconds(5)).until(() -> "b=1\n".equals(read("e.conf")));

        long errors = d.metrics().renderErrors();
        Files.writeString(t.source, "c={{#key:" + p + "e}}\n"); // never closed
        eventually().until(() -> d.metrics().renderErrors() > errors);
        assertThat(read("e.conf")).isEqualTo("b=1\n");

        Files.writeString(t.source, "d={{key:" + p + "e}}\n");
        eventually().until(() -> "d=1\n".equals(read("e.conf")));
    }

    @Test
    void aFileQueryIsRenderedAgainWhenTheFileChanges() throws Exception {
        Path data = Files.writeString(dir.resolve("local.txt"), "one");
        start(new T("f.ctmpl", "f={{file:" + data + "}}\n", "f.conf"));
        eventually().until(() -> "f=one\n".equals(read("f.conf")));

        Files.writeString(data, "two");

        eventually().atMost(Duration.ofSeconds(5)).until(() -> "f=two\n".equals(read("f.conf")));
    }

    @Test
    void closeLetsARunningCommandFinishLeavesNoTempFileAndRemovesThePidFile() throws Exception {
        store.put(p + "s", "1");
        Path pid = dir.resolve("daemon.pid");
        T slow = new T("s.ctmpl", "{{key:" + p + "s}}\n", "s.conf")
                .command(append("start", "marker") + "; sleep 1; " + append("end", "marker"));
        TemplateDaemon d = start(store.address(), config(pid, slow.config()));
        assertThat(Files.readString(pid)).isEqualTo(ProcessHandle.current().pid() + "\n");
        eventually().until(() -> "start\n".equals(read("marker")));

        d.close();

        assertThat(read("marker")).isEqualTo("start\nend\n");
        assertThat(d.awaitExit()).isZero();
        assertThat(files()).containsExactlyInAnyOrder("s.ctmpl", "s.conf", "marker");
    }

    @Test
    void closeKillsACommandThatOutlivesItsTimeout() throws Exception {
        store.put(p + "h", "1");
        T hung = new T("h.ctmpl", "{{key:" + p + "h}}\n", "h.conf")
                .command(append("start", "marker") + "; sleep 60").commandTimeout(Duration.ofMillis(500));
        TemplateDaemon d = start(hung);
        eventually().until(() -> "start\n".equals(read("marker")));

        long t0 = System.nanoTime();
        d.close();

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(read("h.conf")).isEqualTo("1\n");
    }

    @Test
    void givingUpAfterTheRetryAttemptsStopsWithExit1() throws Exception {
        int port = TestStore.freePort();
        DaemonConfig c = new DaemonConfig(List.of(new T("g.ctmpl", "{{key:x}}", "g.conf").config()),
                DaemonConfig.Wait.OFF, Duration.ZERO, DaemonConfig.DEFAULT_BLOCK_QUERY_WAIT,
                new DaemonConfig.Retry(2, Duration.ofMillis(10), Duration.ofMillis(20)), "info", null, "INT", "HUP",
                null, null, DaemonConfig.DEFAULT_PERMS);
        TemplateDaemon d = start(URI.create("http://127.0.0.1:" + port), c);

        assertThat(d.awaitExit()).isEqualTo(1);
        assertThat(d.failure()).startsWith("gave up on /v1/kv/x after 3 failed attempts: cannot reach");
    }

    @Test
    void reloadSwapsTemplatesAndKeepsSharedLoops() throws Exception {
        store.put(p + "k", "1");
        T a = new T("a.ctmpl", "a={{key:" + p + "k}}\n", "a.conf");
        TemplateDaemon d = start(a);
        eventually().until(() -> "a=1\n".equals(read("a.conf")));
        long changes = d.changesSeen();

        T b = new T("b.ctmpl", "b={{key:" + p + "k}}\n", "b.conf");
        d.reload(config(null, a.config(), b.config()));

        eventually().until(() -> "b=1\n".equals(read("b.conf")));
        assertThat(d.loopCount()).isEqualTo(1);
        assertThat(d.changesSeen()).as("the shared loop kept its data: no new fetch was needed").isEqualTo(changes);
        store.put(p + "k", "2");
        eventually().until(() -> "a=2\n".equals(read("a.conf")) && "b=2\n".equals(read("b.conf")));
    }

    @Test
    void dryPrintsEachChangedOutputInsteadOfWriting() throws Exception {
        store.put(p + "y", "1");
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        T t = new T("y.ctmpl", "y={{key:" + p + "y}}\n", "y.conf");
        TemplateDaemon d = new TemplateDaemon(store.client(), config(null, t.config()), true, DataSource.local(Map.of()),
                ps, ps);
        daemons.add(d);
        d.start();
        String first = "> " + dir.resolve("y.conf") + "\ny=1\n";
        eventually().until(() -> out.toString(StandardCharsets.UTF_8).equals(first));

        store.put(p + "y", "2");

        eventually().until(() -> out.toString(StandardCharsets.UTF_8).equals(first + "> " + dir.resolve("y.conf") + "\ny=2\n"));
        assertThat(dir.resolve("y.conf")).doesNotExist();
    }

    @Test
    void perTemplateSettingsDelimitersPermsBackupAndErrorOnMissingKey() throws Exception {
        store.put(p + "s", "1");
        TemplateConfig inline = new TemplateConfig(null, "[[key:" + p + "s]] {{literal}}\n", dir.resolve("sub/s.conf"), "",
                Duration.ofSeconds(30), "", 0600, true, null, true, "[[", "]]", false);
        TemplateConfig strict = new TemplateConfig(null, "[[key:" + p + "missing]]\n", dir.resolve("m.conf"), "",
                Duration.ofSeconds(30), "", null, false, null, true, "[[", "]]", true);
        TemplateDaemon d = start(store.address(), config(null, inline, strict));
        eventually().until(() -> "1 {{literal}}\n".equals(read("sub/s.conf")));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("sub/s.conf")))).isEqualTo("rw-------");
        eventually().until(() -> d.metrics().renderErrors() >= 1);
        assertThat(dir.resolve("m.conf")).as("a missing key with error_on_missing_key writes nothing").doesNotExist();

        store.put(p + "s", "2");

        eventually().until(() -> "2 {{literal}}\n".equals(read("sub/s.conf")));
        assertThat(read("sub/s.conf.bak")).isEqualTo("1 {{literal}}\n");
    }

    @Test
    void aDestinationThatCannotBeWrittenStopsTheStartNamingIt() throws Exception {
        TemplateConfig noDirs = new TemplateConfig(null, "x", dir.resolve("absent/x.conf"), "", Duration.ofSeconds(30), "",
                null, false, null, false, null, null, false);
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        TemplateDaemon d = new TemplateDaemon(store.client(), config(null, noDirs), false, DataSource.local(Map.of()), ps, ps);
        daemons.add(d);

        assertThatThrownBy(d::start).isInstanceOf(RunException.class).hasMessage(dir.resolve("absent/x.conf")
                + ": cannot write: folder " + dir.resolve("absent") + " does not exist (create_dest_dirs is false)");
    }
}

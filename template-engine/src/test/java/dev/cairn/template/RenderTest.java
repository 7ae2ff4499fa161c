package dev.cairn.template;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RenderTest {

    private final TemplateEngine engine = new TemplateEngine();

    @Test
    void nothingIsEverHtmlEscaped() throws Exception {
        MapSource source = new MapSource().key("v", "<a href=\"x?a=1&b=2\">'it'</a>");
        String out = engine.compile("t", "{{key:v}}|{{{key:v}}}|{{&key:v}}").render(source).output();

        String value = "<a href=\"x?a=1&b=2\">'it'</a>";
        assertThat(out).isEqualTo(value + "|" + value + "|" + value);
    }

    @Test
    void valuesThatLookLikeTagsAreWrittenAsIs() throws Exception {
        MapSource source = new MapSource().key("v", "{{key:secret}}{{> /etc/passwd}}").key("secret", "LEAK");
        RenderResult result = engine.compile("t", "{{key:v}}").render(source);

        assertThat(result.output()).isEqualTo("{{key:secret}}{{> /etc/passwd}}");
        assertThat(result.dependencies()).containsExactly(Query.parse("key:v"));
    }

    @Test
    void missingKeyWithoutDefaultWaitsForData() throws Exception {
        MapSource source = new MapSource().put("key:app/port", List.of());
        RenderResult result = engine.compile("t", "port={{key:app/port}}").render(source);

        assertThat(result.complete()).isFalse();
        assertThat(result.missingKeys()).containsExactly(Query.parse("key:app/port"));
        assertThat(result.waitingFor()).isEmpty();
    }

    @Test
    void missingKeyWithDefaultDoesNotWait() throws Exception {
        MapSource source = new MapSource().put("key:app/port?default=8080", List.of());
        RenderResult result = engine.compile("t", "port={{key:app/port?default=8080}}").render(source);

        assertThat(result.complete()).isTrue();
        assertThat(result.output()).isEqualTo("port=8080");
    }

    @Test
    void queryWithNoDataYetIsIncompleteEvenWithADefault() throws Exception {
        RenderResult result = engine.compile("t", "port={{key:app/port?default=8080}} {{#service:web}}x{{/service:web}}")
                .render(new MapSource());

        assertThat(result.complete()).isFalse();
        assertThat(result.output()).isEqualTo("port=8080 ");
        assertThat(result.waitingFor()).containsExactly(Query.parse("key:app/port?default=8080"), Query.parse("service:web"));
    }

    @Test
    void noDataYetIsNotTheSameAsEmpty() throws Exception {
        Template t = engine.compile("t", "{{^service:web}}none{{/service:web}}");

        assertThat(t.render(new MapSource()).complete()).isFalse();
        RenderResult empty = t.render(new MapSource().put("service:web", List.of()));
        assertThat(empty.complete()).isTrue();
        assertThat(empty.output()).isEqualTo("none");
    }

    @Test
    void renderUntilStableFetchesQueriesThatOnlyAppearOnceDataArrives() throws Exception {
        Template t = engine.compile("t",
                "{{#keyExists:feature/on}}value={{key:feature/value}}{{/keyExists:feature/on}}");
        MapSource source = new MapSource();
        List<Set<Query>> fetches = new ArrayList<>();

        RenderResult result = t.renderUntilStable(source, queries -> {
            fetches.add(queries);
            if (queries.contains(Query.parse("keyExists:feature/on"))) {
                source.put("keyExists:feature/on", List.of(KvEntry.of("feature/on", "")));
            }
            if (queries.contains(Query.parse("key:feature/value"))) {
                source.key("feature/value", "42");
            }
        });

        assertThat(fetches).containsExactly(Set.of(Query.parse("keyExists:feature/on")), Set.of(Query.parse("key:feature/value")));
        assertThat(result.complete()).isTrue();
        assertThat(result.output()).isEqualTo("value=42");
        assertThat(result.dependencies()).containsExactly(Query.parse("keyExists:feature/on"), Query.parse("key:feature/value"));
    }

    @Test
    void renderUntilStableStopsWhenTheFetcherCannotHelp() throws Exception {
        List<Set<Query>> fetches = new ArrayList<>();
        RenderResult result = engine.compile("t", "{{key:a}}").renderUntilStable(new MapSource(), fetches::add);

        assertThat(fetches).hasSize(1);
        assertThat(result.complete()).isFalse();
        assertThat(result.waitingFor()).containsExactly(Query.parse("key:a"));
    }

    @Test
    void renderUntilStableGivesUpAfterTenRoundsNamingTheQueries() throws Exception {
        // Twelve nested sections, each reached only once the one around it has data.
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 12; i++) {
            text.append("{{#keyExists:k").append(i).append("}}");
        }
        for (int i = 12; i >= 1; i--) {
            text.append("{{/keyExists:k").append(i).append("}}");
        }
        Template t = engine.compile("chain.ctmpl", text.toString());
        MapSource source = new MapSource();

        assertThatThrownBy(() -> t.renderUntilStable(source, queries -> queries.forEach(q ->
                source.put(q.toString(), List.of(KvEntry.of(q.argument(), "x"))))))
                .isInstanceOf(TemplateException.class)
                .hasMessage("chain.ctmpl: new queries still turning up after 10 renders: [keyExists:k10]");
    }

    @Test
    void servicesInstancesAreFetchedOnlyWhenTouched() throws Exception {
        MapSource source = new MapSource().put("services:*?tag=http", List.of(
                new CatalogService("web", List.of("http")), new CatalogService("db", List.of("sql"))));
        source.put("service:web?tag=http", List.of(new ServiceInstance("w1", "web", "n1", "", "10.0.0.1", 80,
                List.of("http"), Map.of(), "passing", "dc1")));

        RenderResult names = engine.compile("t", "{{#services:*?tag=http}}{{Name}}{{/services:*?tag=http}}").render(source);
        assertThat(names.dependencies()).containsExactly(Query.parse("services:*?tag=http"));

        RenderResult backends = engine.compile("t",
                "{{#services:*?tag=http}}{{Name}}:{{#Instances}}{{Address}}:{{Port}}{{/Instances}}{{/services:*?tag=http}}")
                .render(source);
        assertThat(backends.output()).isEqualTo("web:10.0.0.1:80");
        assertThat(backends.dependencies()).containsExactly(Query.parse("services:*?tag=http"), Query.parse("service:web?tag=http"));
    }

    @Test
    void eachQueryIsAskedOncePerRenderHoweverOftenItIsUsed() throws Exception {
        MapSource source = new MapSource().key("a", "1");
        RenderResult result = engine.compile("t", "{{key:a}}{{key:a}}{{#key:a}}{{.}}{{/key:a}}").render(source);

        assertThat(result.output()).isEqualTo("111");
        assertThat(source.calls).hasValue(1);
        assertThat(result.dependencies()).containsExactly(Query.parse("key:a"));
    }

    @Test
    void queriesListsEveryQueryWrittenIncludingUnreachedOnesAndPartials(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("part.ctmpl"), "{{key:in/partial}}");
        Path file = dir.resolve("t.ctmpl");
        Files.writeString(file, "{{#keyExists:gate}}{{#tree:app/}}{{Key}}{{/tree:app/}}{{/keyExists:gate}}\n"
                + "{{> part}}{{#services:*}}{{#Instances}}{{/Instances}}{{/services:*}}{{key:a}}{{key:a}}\n");

        assertThat(engine.compile(file).queries()).containsExactly(Query.parse("keyExists:gate"), Query.parse("tree:app"),
                Query.parse("key:in/partial"), Query.parse("services:*"), Query.parse("key:a"));
    }

    @Test
    void partialsResolveRelativeToTheTemplateFolder(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("conf/parts"));
        Files.writeString(dir.resolve("conf/parts/line.ctmpl"), "[{{key:a}}]\n");
        Files.writeString(dir.resolve("conf/main.ctmpl"), "{{> parts/line}}");

        assertThat(engine.compile(dir.resolve("conf/main.ctmpl")).render(new MapSource().key("a", "1")).output())
                .isEqualTo("[1]\n");
    }

    @Test
    void aPartialMayIncludeItself(@TempDir Path dir) throws Exception {
        // A node's services, each with nested "Services" of its own, rendered by one partial.
        Files.writeString(dir.resolve("item.ctmpl"), "{{Node}}({{#Services}}{{> item}}{{/Services}})");
        Path file = dir.resolve("main.ctmpl");
        Files.writeString(file, "{{#node:n1}}{{> item}}{{/node:n1}}");

        Template t = engine.compile(file);
        MapSource source = new MapSource().put("node:n1", List.of(new NodeDetail(
                new CatalogNode("n1", "10.0.0.1", "dc1", Map.of()), List.of())));
        assertThat(t.queries()).containsExactly(Query.parse("node:n1"));
        assertThat(t.render(source).output()).isEqualTo("n1()");
    }

    @Test
    void customDelimitersApplyToTheTemplateAndItsPartials(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("part.ctmpl"), "<< [[key:a]] {{not.a.tag}} >>");
        Path file = dir.resolve("main.ctmpl");
        Files.writeString(file, "{{literal}} [[key:a]] [[> part]]");

        Template t = engine.withDelimiters("[[", "]]").compile(file);
        assertThat(t.render(new MapSource().key("a", "1")).output()).isEqualTo("{{literal}} 1 << 1 {{not.a.tag}} >>");
    }

    @Test
    void standaloneCommentAndDelimiterLinesLeaveNoBlankLines() throws Exception {
        String text = "a\n  {{! comment }}  \nb\n{{=<% %>=}}\n<%key:x%>\n<%! another %>\n<%={{ }}=%>\nc {{! inline }}\n";
        assertThat(engine.compile("t", text).render(new MapSource().key("x", "1")).output()).isEqualTo("a\nb\n1\nc \n");
    }

    @Test
    void iterationHelpersInListsOfStringsAndOfObjects() throws Exception {
        MapSource source = new MapSource().put("datacenters:*", List.of("c", "a", "b"));
        String out = engine.compile("t", "{{#datacenters:*}}{{-index}}{{#-first}}^{{/-first}}{{.}}{{^-last}},{{/-last}}"
                + "{{/datacenters:*}}").render(source).output();
        assertThat(out).isEqualTo("0^a,1b,2c");
    }

    @Test
    void dottedNamesReachIntoMaps() throws Exception {
        MapSource source = new MapSource().put("service:web", List.of(new ServiceInstance("w1", "web", "n1", "1.2.3.4",
                "", 80, List.of(), Map.of("version", "2.1"), "passing", "dc1")));
        assertThat(engine.compile("t", "{{#service:web}}{{Meta.version}}{{Meta.missing}}{{/service:web}}")
                .render(source).output()).isEqualTo("2.1");
    }

    @Test
    void envAndFileComeFromTheLocalSource(@TempDir Path dir) throws Exception {
        Path motd = dir.resolve("motd");
        Files.writeString(motd, "hello");
        DataSource source = new MapSource().withLocal(DataSource.local(Map.of("ROLE", "edge")));
        Template t = engine.compile("t", "{{env:ROLE}} {{env:NOPE?default=x}} [{{env:NOPE}}] {{file:" + motd + "}} [{{file:"
                + dir.resolve("missing") + "}}]");

        RenderResult result = t.render(source);
        assertThat(result.output()).isEqualTo("edge x [] hello []");
        assertThat(result.complete()).isTrue();
    }

    @Test
    void compiledOnceRendersTheSameBytesOnManyThreads() throws Exception {
        Template t = engine.compile("t", "{{#service:web}}{{Node}}={{Address}}:{{Port}}{{^-last}},{{/-last}}{{/service:web}}");
        List<ServiceInstance> instances = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            instances.add(new ServiceInstance("w" + i, "web", "n" + (49 - i), "", "10.0.0." + i, 80, List.of(), Map.of(),
                    "passing", "dc1"));
        }
        MapSource source = new MapSource().put("service:web", instances);
        String expected = t.render(source).output();

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> renders = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                renders.add(pool.submit(() -> t.render(source).output()));
            }
            for (Future<String> render : renders) {
                assertThat(render.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(expected).startsWith("n0=10.0.0.49:80,n1=10.0.0.48:80,");
    }

    @Test
    void aSourceAnsweringWithTheWrongTypeIsNamed() throws Exception {
        Template t = engine.compile("t", "{{key:a}}");
        assertThatThrownBy(() -> t.render(new MapSource().put("key:a", List.of("just a string"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("DataSource answered key:a with a java.lang.String; key queries take KvEntry elements");
        assertThatThrownBy(() -> t.render(q -> null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("DataSource answered null for key:a; answer Optional.empty() when there is no data yet");
    }
}

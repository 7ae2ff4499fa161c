package dev.cairn.template;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryTest {

    @Test
    void parsesKindArgumentAndParameters() {
        Query q = Query.parse("service:web?tag=prod&tag=blue&state=warning,passing&dc=dc2&stale=true");

        assertThat(q.kind()).isEqualTo(Query.Kind.SERVICE);
        assertThat(q.argument()).isEqualTo("web");
        assertThat(q.tags()).containsExactly("blue", "prod");
        assertThat(q.states()).containsExactly("passing", "warning");
        assertThat(q.datacenter()).contains("dc2");
        assertThat(q.stale()).isTrue();
        assertThat(q.defaultValue()).isEmpty();
        assertThat(q).hasToString("service:web?tag=blue&tag=prod&state=passing,warning&dc=dc2&stale=true");
    }

    @Test
    void argumentsMayContainDotsAndSlashes() {
        assertThat(Query.parse("key:nginx/worker.conf").argument()).isEqualTo("nginx/worker.conf");
        assertThat(Query.parse("key:a?default=x=y z").defaultValue()).contains("x=y z");
    }

    @Test
    void spellingsOfTheSameQueryAreEqualWithOneCanonicalForm() {
        assertSame("tree:app/config", "tree:app/config/", "tree:/app/config/");
        assertSame("ls:app", "ls:app/");
        assertSame("key:a/b", "key:/a/b");
        assertSame("service:web", "service:web?state=passing", "service:web?stale=false");
        assertSame("service:web?tag=a&tag=b", "service:web?tag=b&tag=a", "service:web?tag=a&tag=b&tag=a");
        assertSame("service:web?state=passing,warning", "service:web?state=warning,passing");
        assertSame("service:web?state=any", "service:web?state=passing,warning,critical,maintenance",
                "service:web?state=critical,any");
    }

    @Test
    void canonicalFormParsesBackToAnEqualQuery() {
        for (String text : List.of("service:web?tag=b&tag=a&state=critical&dc=eu&stale=true", "tree:app/",
                "key:a?default=", "services:*?tag=http", "datacenters:*", "env:HOME?default=/root")) {
            Query q = Query.parse(text);
            assertThat(Query.parse(q.toString())).isEqualTo(q).hasSameHashCodeAs(q);
        }
    }

    @Test
    void differentQueriesAreNotEqual() {
        assertThat(Set.of(Query.parse("key:a"), Query.parse("keyExists:a"), Query.parse("key:a?default=1"),
                Query.parse("key:a?dc=dc2"), Query.parse("tree:a"), Query.parse("ls:a"))).hasSize(6);
    }

    @Test
    void identicalQueriesFromManyTemplatesDeduplicate() {
        Set<Query> watched = new java.util.HashSet<>();
        watched.add(Query.parse("service:web?tag=prod"));
        watched.add(Query.parse("service:web?tag=prod&state=passing"));
        watched.add(Query.parse("tree:app/"));
        watched.add(Query.parse("tree:app"));
        assertThat(watched).hasSize(2);
    }

    @Test
    void withoutDefaultGivesWhatToFetch() {
        assertThat(Query.parse("key:a?default=1&stale=true").withoutDefault()).isEqualTo(Query.parse("key:a?stale=true"));
    }

    @Test
    void instancesOfAServicesEntryKeepTagDcAndStale() {
        Query services = Query.parse("services:*?tag=http&dc=eu&stale=true");
        assertThat(services.instancesOf("web")).hasToString("service:web?tag=http&dc=eu&stale=true");
    }

    @Test
    void isQueryMeansHasAColon() {
        assertThat(Query.isQuery("key:a")).isTrue();
        assertThat(Query.isQuery("Address")).isFalse();
        assertThat(Query.isQuery("Meta.version")).isFalse();
    }

    static Stream<Arguments> badQueries() {
        return Stream.of(
                Arguments.of("kee:foo", "unknown query kind \"kee\" in \"kee:foo\" (known: key, keyExists, tree, ls, "
                        + "service, services, node, nodes, datacenters, env, file)"),
                Arguments.of(":foo", "not a query (expected kind:argument) in \":foo\""),
                Arguments.of("service:web?tags=x",
                        "unknown parameter \"tags\" in \"service:web?tags=x\" (service takes tag, state, dc, stale)"),
                Arguments.of("key:a?tag=x",
                        "parameter \"tag\" does not apply to key in \"key:a?tag=x\" (key takes dc, stale, default)"),
                Arguments.of("keyExists:a?dc=x",
                        "parameter \"dc\" does not apply to keyExists in \"keyExists:a?dc=x\" (keyExists takes stale)"),
                Arguments.of("env:HOME?stale=true",
                        "parameter \"stale\" does not apply to env in \"env:HOME?stale=true\" (env takes default)"),
                Arguments.of("file:x?default=y",
                        "parameter \"default\" does not apply to file in \"file:x?default=y\" (file takes no parameters)"),
                Arguments.of("service:web?state=healthy", "unknown state \"healthy\" in \"service:web?state=healthy\" "
                        + "(known: passing, warning, critical, maintenance, any)"),
                Arguments.of("key:a?stale=yes", "parameter \"stale\" must be true or false, not \"yes\" in \"key:a?stale=yes\""),
                Arguments.of("service:web?stale", "parameter \"stale\" needs a value in \"service:web?stale\" (stale=...)"),
                Arguments.of("service:web?tag=", "parameter \"tag\" needs a value in \"service:web?tag=\" (tag=...)"),
                Arguments.of("service:web?dc=a&dc=b", "parameter \"dc\" given twice in \"service:web?dc=a&dc=b\""),
                Arguments.of("service:web?&tag=a", "empty parameter name in \"service:web?&tag=a\""),
                Arguments.of("key:", "key needs a path in \"key:\" (key:PATH)"),
                Arguments.of("service:", "service needs a name in \"service:\" (service:NAME)"),
                Arguments.of("services:web", "services takes \"*\" as its argument in \"services:web\" (write services:*)"));
    }

    @ParameterizedTest
    @MethodSource("badQueries")
    void badQueriesAreRejectedWithAMessageNamingTheProblem(String text, String message) {
        assertThatThrownBy(() -> Query.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    private static void assertSame(String canonical, String... others) {
        Query expected = Query.parse(canonical);
        assertThat(expected).hasToString(canonical);
        for (String other : others) {
            assertThat(Query.parse(other)).as(other).isEqualTo(expected).hasSameHashCodeAs(expected)
                    .hasToString(canonical);
        }
    }
}

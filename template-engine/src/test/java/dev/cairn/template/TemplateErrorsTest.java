package dev.cairn.template;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every load-time error names FILE:LINE (TEMPLATES.md, "Errors"). */
class TemplateErrorsTest {

    private final TemplateEngine engine = new TemplateEngine();

    @Test
    void unknownQueryKind() {
        TemplateException e = error("web.ctmpl", "upstream {\n  {{Address}}\n  {{kee:nginx/conf}}\n}\n");

        assertThat(e).hasMessage("web.ctmpl:3: unknown query kind \"kee\" in \"kee:nginx/conf\" (known: key, "
                + "keyExists, tree, ls, service, services, node, nodes, datacenters, env, file)");
        assertThat(e.file()).isEqualTo("web.ctmpl");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.problem()).startsWith("unknown query kind");
    }

    @Test
    void unknownParameterInASection() {
        assertThat(error("t.ctmpl", "# head\n{{#service:web?tags=prod}}\nx\n{{/service:web?tags=prod}}\n"))
                .hasMessage("t.ctmpl:2: unknown parameter \"tags\" in \"service:web?tags=prod\" "
                        + "(service takes tag, state, dc, stale)");
    }

    @Test
    void parameterThatDoesNotApplyInAnInvertedSection() {
        assertThat(error("t.ctmpl", "\n\n\n{{^tree:app?tag=x}}none{{/tree:app?tag=x}}"))
                .hasMessage("t.ctmpl:4: parameter \"tag\" does not apply to tree in \"tree:app?tag=x\" "
                        + "(tree takes dc, stale)");
    }

    @Test
    void unclosedSectionNamesTheLineItOpens() {
        assertThat(error("t.ctmpl", "a\n{{#service:web}}\n  server {{Address}};\n"))
                .hasMessage("t.ctmpl:2: section \"service:web\" is never closed");
    }

    @Test
    void mismatchedClosingTag() {
        assertThat(error("t.ctmpl", "{{#service:web}}\nx\n{{/service:api}}\n"))
                .hasMessage("t.ctmpl:3: section \"service:web\" is closed by \"/service:api\"");
    }

    @Test
    void closingTagWithoutSection() {
        assertThat(error("t.ctmpl", "a\n{{/tree:app}}\n")).hasMessage("t.ctmpl:2: closing tag \"/tree:app\" has no open section");
    }

    @Test
    void emptyTag() {
        assertThat(error("t.ctmpl", "a\nb\n{{}}\n")).hasMessage("t.ctmpl:3: empty tag");
    }

    @Test
    void tagNotClosed() {
        assertThat(error("t.ctmpl", "a\nworker {{key:nginx/worker")).hasMessage("t.ctmpl:2: tag is not closed");
        assertThat(error("t.ctmpl", "{{{key:a}}\n")).hasMessage("t.ctmpl:1: tag is not closed");
    }

    @Test
    void invalidSetDelimiter() {
        assertThat(error("t.ctmpl", "a\n{{=<%=}}\n")).hasMessage("t.ctmpl:2: invalid set-delimiter tag: <%");
    }

    @Test
    void missingPartialNamesTheIncludingLine(@TempDir Path dir) {
        Path template = dir.resolve("site.ctmpl");
        TemplateException e = error(template.toString(), "a\n\n{{> parts/header}}\n");

        assertThat(e).hasMessage(template + ":3: partial \"parts/header\" not found (looked for "
                + dir.resolve("parts/header.ctmpl") + ")");
    }

    @Test
    void errorInsideAPartialNamesThePartialFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("part.ctmpl"), "ok\n{{services:web}}\n");
        Path template = dir.resolve("main.ctmpl");
        Files.writeString(template, "{{> part}}\n");

        assertThatThrownBy(() -> engine.compile(template))
                .hasMessage(dir.resolve("part.ctmpl") + ":2: services takes \"*\" as its argument in \"services:web\" "
                        + "(write services:*)");
    }

    @Test
    void linesStayRightAfterAMultiLineCommentAndAStandalonePartial(@TempDir Path dir) throws IOException {
        // Mustache.java counts neither the newlines inside a tag nor the one it drops after a
        // standalone partial; the errors must still name the line as written.
        Files.writeString(dir.resolve("p.ctmpl"), "partial\n");
        String text = "{{!\n  a comment\n  over lines\n}}\n{{> p}}\n{{> p}}\nx {{kee:a}}\n";
        assertThat(error(dir.resolve("t.ctmpl").toString(), text).line()).isEqualTo(7);

        String syntax = "{{!\n  a comment\n}}\n{{> p}}\n{{#a}}\n";
        assertThat(error(dir.resolve("t.ctmpl").toString(), syntax).line()).isEqualTo(5);
    }

    @Test
    void dynamicPartialsAreRefusedSoDataNeverNamesAFile() {
        assertThat(error("t.ctmpl", "a\n{{>*key:which}}\n"))
                .hasMessage("t.ctmpl:2: dynamic partials ({{>*...}}) are not supported: "
                        + "partial names must be written in the template");
    }

    @Test
    void missingTemplateFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.ctmpl");
        assertThatThrownBy(() -> engine.compile(missing)).hasMessage(missing + ": no such template file");
    }

    @Test
    void errorsWithCustomDelimiters() {
        TemplateEngine brackets = engine.withDelimiters("[[", "]]");
        assertThatThrownBy(() -> brackets.compile("t.ctmpl", "{{kee:ignored}}\n[[kee:a]]\n"))
                .hasMessageStartingWith("t.ctmpl:2: unknown query kind \"kee\"");
    }

    @Test
    void delimitersMustBeTwoCharacters() {
        assertThatThrownBy(() -> engine.withDelimiters("<%%", "%>"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delimiters must be two non-blank characters each, like [[ and ]]: got \"<%%\" and \"%>\"");
    }

    private TemplateException error(String name, String text) {
        try {
            engine.compile(name, text);
        } catch (TemplateException e) {
            return e;
        }
        throw new AssertionError("expected " + name + " not to compile");
    }
}

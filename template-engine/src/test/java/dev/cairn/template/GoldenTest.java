package dev.cairn.template;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each folder under {@code src/test/resources/golden/} is a case: {@code template.ctmpl} rendered
 * over {@code data.json} (see {@link FixtureSource}) must give exactly {@code expected.out}, every
 * time, whatever order the source answers in.
 *
 * <p>To write the expected files after a deliberate change, run with
 * {@code -Dcairn.golden.update=true} and review the diff.
 */
class GoldenTest {

    private static final boolean UPDATE = Boolean.getBoolean("cairn.golden.update");

    @TestFactory
    Stream<DynamicTest> goldenCases() throws IOException, URISyntaxException {
        Path root = Path.of(GoldenTest.class.getResource("/golden").toURI());
        List<Path> cases;
        try (Stream<Path> dirs = Files.list(root)) {
            cases = dirs.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(cases).isNotEmpty();
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
    }

    private void check(Path dir) throws Exception {
        Template template = new TemplateEngine().compile(dir.resolve("template.ctmpl"));
        RenderResult result = template.render(FixtureSource.load(dir.resolve("data.json"), false));
        assertThat(result.waitingFor()).as("queries without data").isEmpty();
        assertThat(result.missingKeys()).as("missing keys").isEmpty();

        Path expectedFile = dir.resolve("expected.out");
        if (UPDATE) {
            Path source = Path.of("src/test/resources/golden").resolve(dir.getFileName()).resolve("expected.out");
            Files.writeString(source, result.output(), StandardCharsets.UTF_8);
        }
        String expected = UPDATE ? result.output() : Files.readString(expectedFile, StandardCharsets.UTF_8);
        assertThat(result.output()).isEqualTo(expected);

        assertThat(template.render(FixtureSource.load(dir.resolve("data.json"), true)).output())
                .as("same bytes when the source answers in reverse order")
                .isEqualTo(expected);
        assertThat(template.render(FixtureSource.load(dir.resolve("data.json"), false)).output())
                .as("same bytes on a second render")
                .isEqualTo(expected);
    }
}

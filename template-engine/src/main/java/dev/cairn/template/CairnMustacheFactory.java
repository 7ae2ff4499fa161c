package dev.cairn.template;

import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheNotFoundException;
import com.github.mustachejava.MustacheVisitor;
import com.github.mustachejava.SpecMustacheFactory;
import com.github.mustachejava.TemplateContext;
import com.github.mustachejava.codes.DefaultMustache;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Compiles one template and its partials for Cairn: spec whitespace (standalone tag lines vanish),
 * no HTML escaping ({@link #encode} writes the value as is, so {@code {{x}}} and {@code {{{x}}}}
 * write the same bytes), names looked up by {@link CairnObjectHandler}, tags checked by
 * {@link CheckingVisitor}, partials read from the file system relative to the including file.
 *
 * <p>One factory per compile: it holds that template's source line maps, and Mustache.java's
 * caches never serve a stale partial after a template is reloaded. Used by one
 * thread; the compiled template it returns is immutable.
 */
final class CairnMustacheFactory extends SpecMustacheFactory {

    private final String left;
    private final String right;
    private final Map<String, SourceLines> sources = new HashMap<>();
    private final Map<String, Mustache> partialsInProgress = new HashMap<>();

    CairnMustacheFactory(String left, String right) {
        this.left = left;
        this.right = right;
        setObjectHandler(CairnObjectHandler.INSTANCE);
    }

    Mustache compileTemplate(String name, String text) {
        sources.put(name, SourceLines.scan(text, left, right));
        return compile(new StringReader(text), name, left, right);
    }

    /** The line in the file as the user wrote it, for a line the parser counted. */
    int realLine(String file, int parserLine) {
        SourceLines source = sources.get(file);
        return source == null ? parserLine : source.realLine(parserLine);
    }

    /** As {@link #realLine(String, int)}, exact even where the parser's count is off. */
    int realLine(String file, int parserLine, String tagName) {
        SourceLines source = sources.get(file);
        return source == null ? parserLine : source.realLine(parserLine, tagName);
    }

    /**
     * True for text the parser hands over that is the blank rest of a standalone comment or
     * set-delimiter line: the blanks before the tag, or the blanks and newline after it. The
     * parser flushes text at every tag and every newline, and numbers a flush at a newline with
     * the next line, hence the {@code line - 1}.
     */
    boolean isStandaloneRest(TemplateContext tc, String text) {
        SourceLines source = sources.get(tc.file());
        if (source == null || text.isEmpty()) {
            return false;
        }
        int newline = text.indexOf('\n');
        if (newline < 0) {
            return isBlank(text) && source.isStandalone(tc.line());
        }
        return newline == text.length() - 1 && isBlank(text.substring(0, newline))
                && source.isStandalone(tc.line() - 1);
    }

    private static boolean isBlank(String text) {
        return text.chars().allMatch(c -> SourceLines.isBlank((char) c));
    }

    void checkName(TemplateContext tc, String name) {
        if (Query.isQuery(name)) {
            try {
                Query.parse(name);
            } catch (IllegalArgumentException e) {
                throw new LoadError(tc.file(), realLine(tc.file(), tc.line(), name), e.getMessage());
            }
        }
    }

    void checkPartial(TemplateContext tc, String name) {
        String path = partialPath(tc.file(), name);
        if (!Files.isRegularFile(Path.of(path))) {
            throw new LoadError(tc.file(), realLine(tc.file(), tc.line(), name),
                    "partial \"" + name + "\" not found (looked for " + path + ")");
        }
    }

    /** Where PartialCode will look: the including file's folder and extension, as Mustache.java does. */
    private String partialPath(String file, String name) {
        int dot = file.lastIndexOf('.');
        String extension = dot < 0 ? "" : file.substring(dot);
        String dir = file.substring(0, file.lastIndexOf('/') + 1);
        return resolvePartialPath(dir, name, extension);
    }

    @Override
    public void encode(String value, Writer writer) {
        try {
            writer.write(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public MustacheVisitor createMustacheVisitor() {
        return new CheckingVisitor(this);
    }

    /**
     * Compiles a partial with the template's delimiters (Mustache.java would use {{ }}). A partial
     * that includes itself, directly or not, gets the one being compiled, as Mustache.java does.
     */
    @Override
    public Mustache compilePartial(String name) {
        Mustache inProgress = partialsInProgress.get(name);
        if (inProgress != null) {
            if (inProgress instanceof DefaultMustache recursive) {
                recursive.setRecursive();
            }
            return inProgress;
        }
        Mustache partial = mc.compile(getReader(name), name, left, right);
        partialsInProgress.put(name, partial);
        try {
            partial.init();
        } finally {
            partialsInProgress.remove(name);
        }
        return partial;
    }

    @Override
    public Reader getReader(String file) {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new MustacheNotFoundException(file);
        } catch (IOException e) {
            throw new LoadError(file, 0, "cannot read: " + e.getMessage());
        }
        sources.put(file, SourceLines.scan(text, left, right));
        return new StringReader(text);
    }
}

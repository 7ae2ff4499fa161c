package dev.cairn.template;

import com.github.mustachejava.Code;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheNotFoundException;
import com.github.mustachejava.TemplateContext;
import com.github.mustachejava.codes.IterableCode;
import com.github.mustachejava.codes.ValueCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads templates. Every problem a template can have without data (syntax, an unknown query kind
 * or parameter, a missing partial) is found here, as a {@link TemplateException} naming
 * {@code FILE:LINE}, before anything is rendered or written (TEMPLATES.md, "Errors").
 *
 * <pre>{@code
 * Template t = new TemplateEngine().compile(Path.of("nginx.ctmpl"));
 * RenderResult r = t.render(source);
 * if (r.complete()) write(r.output());
 * }</pre>
 */
public final class TemplateEngine {

    private static final Pattern LOCATION = Pattern.compile(" in \\S+:\\d+(@\\d+)?| @\\[[^\\]]*]$");
    private static final Pattern MISMATCH = Pattern.compile("Mismatched start/end tags: (.*) != (.*)");
    private static final Pattern UNCLOSED = Pattern.compile("Failed to close '(.*)' tag");

    private final String left;
    private final String right;

    /** An engine for templates with the usual {@code {{ }}} delimiters. */
    public TemplateEngine() {
        this("{{", "}}");
    }

    private TemplateEngine(String left, String right) {
        this.left = left;
        this.right = right;
    }

    /**
     * An engine for templates written with other delimiters, e.g. {@code [[ ]]} for output full of
     * {@code {{}. Partials use the same delimiters. Mustache.java reads at most two characters of
     * a delimiter, so both must be exactly two, without blanks.
     */
    public TemplateEngine withDelimiters(String left, String right) {
        if (!isDelimiter(left) || !isDelimiter(right)) {
            throw new IllegalArgumentException("delimiters must be two non-blank characters each, like [[ and ]]: got \""
                    + left + "\" and \"" + right + "\"");
        }
        return new TemplateEngine(left, right);
    }

    /** Loads a template file; its partials are found relative to its folder. */
    public Template compile(Path file) throws TemplateException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TemplateException(file.toString(), 0, "no such template file", e);
        } catch (IOException e) {
            throw new TemplateException(file.toString(), 0, "cannot read template: " + e.getMessage(), e);
        }
        return compile(file.toString(), text);
    }

    /**
     * Compiles template text. {@code name} appears in errors and, taken as a path, decides where
     * partials are found (relative to its folder, or the working directory if it has none).
     */
    public Template compile(String name, String text) throws TemplateException {
        CairnMustacheFactory factory = new CairnMustacheFactory(left, right);
        try {
            Mustache mustache = factory.compileTemplate(name, text);
            return new Template(name, mustache, queriesIn(mustache));
        } catch (LoadError e) {
            throw new TemplateException(e.file, e.line, e.getMessage(), e);
        } catch (MustacheException e) {
            Problem problem = describe(e);
            TemplateContext where = e.getContext();
            String file = where == null ? name : where.file();
            int line = where == null ? 0
                    : problem.tag() == null ? factory.realLine(file, where.line())
                    : factory.realLine(file, where.line(), problem.tag());
            throw new TemplateException(file, line, problem.message(), e);
        } catch (RuntimeException e) {
            // Mustache.java fails on some malformed input with plain runtime exceptions.
            throw new TemplateException(name, 0, "cannot parse: " + e, e);
        }
    }

    /**
     * The queries named in a compiled template's code tree, in order of appearance; partials are
     * part of the tree (a PartialCode's codes are the partial's), visited once each.
     */
    private static Set<Query> queriesIn(Mustache mustache) {
        Set<Query> queries = new LinkedHashSet<>();
        walk(mustache.getCodes(), queries, Collections.newSetFromMap(new IdentityHashMap<>()));
        return queries;
    }

    private static void walk(Code[] codes, Set<Query> queries, Set<Code[]> seen) {
        if (codes == null || !seen.add(codes)) {
            return;
        }
        for (Code code : codes) {
            if ((code instanceof ValueCode || code instanceof IterableCode) && Query.isQuery(code.getName())) {
                queries.add(Query.parse(code.getName()));
            }
            walk(code.getCodes(), queries, seen);
        }
    }

    /** A parse error in words a template author can act on, and the tag it is about, if known. */
    private record Problem(String message, String tag) {
    }

    private static Problem describe(MustacheException e) {
        String message = LOCATION.matcher(String.valueOf(e.getMessage())).replaceAll("").trim();
        Matcher mismatch = MISMATCH.matcher(message);
        if (mismatch.matches()) {
            String open = mismatch.group(1);
            String close = mismatch.group(2);
            return new Problem(open.equals("null") ? "closing tag \"/" + close + "\" has no open section"
                    : "section \"" + open + "\" is closed by \"/" + close + "\"", close);
        }
        Matcher unclosed = UNCLOSED.matcher(message);
        if (unclosed.matches()) {
            return new Problem("section \"" + unclosed.group(1) + "\" is never closed", unclosed.group(1));
        }
        if (message.startsWith("Improperly closed variable")) {
            return new Problem("tag is not closed", null);
        }
        if (message.equals("Empty mustache")) {
            return new Problem("empty tag", null);
        }
        if (message.startsWith("Invalid delimiter string")) {
            return new Problem("invalid set-delimiter tag" + message.substring("Invalid delimiter string".length()), null);
        }
        if (e instanceof MustacheNotFoundException) {
            return new Problem("not found: " + message, null);
        }
        return new Problem(message, null);
    }

    private static boolean isDelimiter(String delimiter) {
        return delimiter != null && delimiter.length() == 2 && delimiter.chars().noneMatch(Character::isWhitespace);
    }
}

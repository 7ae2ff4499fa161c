package dev.cairn.template;

import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;

import java.io.StringWriter;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * A compiled template: compile once ({@link TemplateEngine}), render many times, from any number of
 * threads at once (a render keeps its state in its own {@link RenderContext}).
 */
public final class Template {

    /** Renders {@link #renderUntilStable} allows before deciding the queries never settle. */
    static final int MAX_ROUNDS = 10;

    private final String name;
    private final Mustache mustache;
    private final Set<Query> queries;

    Template(String name, Mustache mustache, Set<Query> queries) {
        this.name = name;
        this.mustache = mustache;
        this.queries = Collections.unmodifiableSet(new LinkedHashSet<>(queries));
    }

    /** The name errors use: the file path, or the name given with the text. */
    public String name() {
        return name;
    }

    /**
     * Every query written in the template and its partials, in order of appearance, whether or not a
     * render reaches it ({@code -parse-only}). Lazy queries ({@code Instances} of
     * {@code services:*}) appear only in a render's dependencies.
     */
    public Set<Query> queries() {
        return queries;
    }

    /** Renders once with what the source holds now. Never blocks; never throws for missing data. */
    public RenderResult render(DataSource source) {
        RenderContext context = new RenderContext(Objects.requireNonNull(source, "source"));
        StringWriter out = new StringWriter();
        try {
            mustache.execute(out, context);
        } catch (MustacheException e) {
            throw unwrap(e);
        }
        return context.result(out.toString());
    }

    /**
     * Renders until no new query turns up: a section reached only once data arrives can touch
     * queries the previous render did not (DESIGN.md, "The template daemon"). After each render,
     * the queries that had no data and were not fetched before go to {@code fetcher}, which should
     * make {@code source} hold their data before returning; then the template renders again.
     *
     * @return the last render; not {@link RenderResult#complete() complete} if the fetcher could not
     *         supply everything or a required key is missing
     * @throws TemplateException if new queries still turn up after {@value #MAX_ROUNDS} renders
     */
    public RenderResult renderUntilStable(DataSource source, Fetcher fetcher)
            throws TemplateException, InterruptedException {
        Set<Query> fetched = new HashSet<>();
        for (int round = 1; ; round++) {
            RenderResult result = render(source);
            Set<Query> fresh = new LinkedHashSet<>(result.waitingFor());
            fresh.removeAll(fetched);
            if (fresh.isEmpty()) {
                return result;
            }
            if (round == MAX_ROUNDS) {
                throw new TemplateException(name, 0, "new queries still turning up after " + MAX_ROUNDS
                        + " renders: " + fresh);
            }
            fetcher.fetch(Collections.unmodifiableSet(fresh));
            fetched.addAll(fresh);
        }
    }

    /** Fetches data for queries a render found without data, for {@link #renderUntilStable}. */
    @FunctionalInterface
    public interface Fetcher {
        void fetch(Set<Query> queries) throws InterruptedException;
    }

    /** Mustache.java wraps what a binding throws; give callers the real error. */
    private static RuntimeException unwrap(MustacheException e) {
        Throwable cause = e;
        while (cause instanceof MustacheException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof RuntimeException runtime ? runtime : e;
    }

    @Override
    public String toString() {
        return "Template[" + name + "]";
    }
}

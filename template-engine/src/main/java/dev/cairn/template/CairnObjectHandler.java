package dev.cairn.template;

import com.github.mustachejava.Binding;
import com.github.mustachejava.Code;
import com.github.mustachejava.Iteration;
import com.github.mustachejava.ObjectHandler;
import com.github.mustachejava.TemplateContext;
import com.github.mustachejava.codes.IterableCode;
import com.github.mustachejava.codes.ValueCode;
import com.github.mustachejava.util.Wrapper;

import java.io.Writer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How Mustache.java looks names up, replaced for Cairn.
 *
 * <p>Mustache.java's own handlers split every name on '.' and reflect over Java objects. Query
 * names contain dots ({@code key:nginx/worker.conf}), so a name with a colon is taken whole and
 * answered by the render's {@link RenderContext}; only other names are split on '.' and looked up in
 * the scope stack, which holds plain maps (see {@link Views}). List sections push a
 * {@link ListItem} per element so {@code -first}, {@code -last} and {@code -index} work in any list,
 * including a list of strings. Bindings keep no state, so one compiled template can render on many
 * threads at once.
 */
final class CairnObjectHandler implements ObjectHandler {

    static final CairnObjectHandler INSTANCE = new CairnObjectHandler();

    private CairnObjectHandler() {
    }

    @Override
    public Binding createBinding(String name, TemplateContext tc, Code code) {
        // Mustache.java asks every code for a binding, including the template itself (named after
        // its file) and partials; only values and sections ever look their name up.
        if (name == null || !(code instanceof ValueCode || code instanceof IterableCode)) {
            return scopes -> null;
        }
        if (Query.isQuery(name)) {
            Query query = Query.parse(name); // already validated by CheckingVisitor, with a line number
            return scopes -> context(scopes).resolve(query);
        }
        String[] path = name.split("\\.");
        return scopes -> lookup(path, scopes);
    }

    @Override
    public Wrapper find(String name, List<Object> scopes) {
        String[] path = name.split("\\.");
        return s -> lookup(path, s);
    }

    @Override
    public Object coerce(Object object) {
        return object;
    }

    @Override
    public Writer iterate(Iteration iteration, Writer writer, Object object, List<Object> scopes) {
        Object value = unwrap(object);
        if (isFalsy(value)) {
            return writer;
        }
        if (value instanceof List<?> list) {
            int last = list.size() - 1;
            for (int i = 0; i <= last; i++) {
                writer = iteration.next(writer, new ListItem(list.get(i), i, i == last), scopes);
            }
            return writer;
        }
        return iteration.next(writer, value, scopes);
    }

    @Override
    public Writer falsey(Iteration iteration, Writer writer, Object object, List<Object> scopes) {
        return isFalsy(unwrap(object)) ? iteration.next(writer, object, scopes) : writer;
    }

    @Override
    public String stringify(Object object) {
        Object value = unwrap(object);
        if (value instanceof Collection<?> values) {
            // {{Tags}} outside a section: comma-separated, in the list's own order
            return values.stream().map(this::stringify).collect(Collectors.joining(","));
        }
        return value == null ? "" : value.toString();
    }

    private static Object lookup(String[] path, List<Object> scopes) {
        Object value = inScopes(path[0], scopes);
        for (int i = 1; i < path.length && value != null; i++) {
            value = unwrap(value) instanceof Map<?, ?> map ? deref(map.get(path[i]), scopes) : null;
        }
        return value;
    }

    /** Innermost scope first, as Mustache does; the iteration helpers come from the nearest list. */
    private static Object inScopes(String name, List<Object> scopes) {
        for (int i = scopes.size() - 1; i >= 0; i--) {
            Object scope = scopes.get(i);
            if (scope instanceof ListItem item) {
                switch (name) {
                    case "-first":
                        return item.index() == 0;
                    case "-last":
                        return item.last();
                    case "-index":
                        return item.index();
                    default:
                        scope = item.element();
                }
            }
            if (scope instanceof Map<?, ?> map && map.containsKey(name)) {
                return deref(map.get(name), scopes);
            }
        }
        return null;
    }

    private static Object deref(Object value, List<Object> scopes) {
        return value instanceof LazyQuery lazy ? context(scopes).resolve(lazy.query()) : value;
    }

    private static RenderContext context(List<Object> scopes) {
        if (!scopes.isEmpty() && scopes.get(0) instanceof RenderContext context) {
            return context;
        }
        throw new IllegalStateException("a Cairn template must be rendered through Template.render");
    }

    private static Object unwrap(Object object) {
        return object instanceof ListItem item ? item.element() : object;
    }

    private static boolean isFalsy(Object value) {
        return value == null
                || Boolean.FALSE.equals(value)
                || (value instanceof Collection<?> c && c.isEmpty())
                || (value instanceof Map<?, ?> m && m.isEmpty())
                || (value instanceof String s && s.isEmpty());
    }
}

package dev.cairn.template;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A parsed query name, {@code kind:argument[?param=value&...]} (TEMPLATES.md, "Queries").
 *
 * <p>Queries are values: two spellings that ask for the same thing are equal and share one
 * canonical {@link #toString() string}, so a watcher can run one blocking query for every template
 * that uses it. Normalisation: prefixes lose their trailing {@code /} ({@code tree:app/} is
 * {@code tree:app}), tags are a sorted set (all must match, so order is meaningless),
 * {@code state=passing} and {@code stale=false} are the defaults and are dropped, and states are
 * listed in a fixed order ({@code any} when all four are asked for).
 *
 * <p>Parameter values are taken literally (no percent-decoding), so a value cannot contain
 * {@code &}.
 */
public final class Query {

    /** Health states a service query may ask for, in canonical order. */
    static final List<String> STATES = List.of("passing", "warning", "critical", "maintenance");
    private static final Set<String> DEFAULT_STATES = Set.of("passing");

    /** What a query's argument must look like. */
    private enum Argument { PATH, PREFIX, NAME, STAR }

    private enum Param {
        TAG, STATE, DC, STALE, DEFAULT;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Param named(String name) {
            for (Param p : values()) {
                if (p.label().equals(name)) {
                    return p;
                }
            }
            return null;
        }
    }

    /**
     * The kinds of query. The javadoc of each says what {@link DataSource#get} answers for it; the
     * engine filters and sorts what it gets, so a source may answer with a superset in any order.
     */
    public enum Kind {
        /** {@code List<KvEntry>}: the entry at PATH, or none when the key is missing. */
        KEY("key", Argument.PATH, Param.DC, Param.STALE, Param.DEFAULT),
        /** {@code List<KvEntry>}: as {@link #KEY}. */
        KEY_EXISTS("keyExists", Argument.PATH, Param.STALE),
        /** {@code List<KvEntry>}: the entries under PREFIX, at any depth. */
        TREE("tree", Argument.PREFIX, Param.DC, Param.STALE),
        /** {@code List<KvEntry>}: the entries under PREFIX (deeper ones are dropped by the engine). */
        LS("ls", Argument.PREFIX, Param.DC, Param.STALE),
        /** {@code List<ServiceInstance>}: instances of NAME with their aggregate health status. */
        SERVICE("service", Argument.NAME, Param.TAG, Param.STATE, Param.DC, Param.STALE),
        /** {@code List<CatalogService>}: every service with the tags of its instances. */
        SERVICES("services", Argument.STAR, Param.TAG, Param.DC, Param.STALE),
        /** {@code List<NodeDetail>}: the node, or none when it is not registered. */
        NODE("node", Argument.NAME, Param.STALE),
        /** {@code List<CatalogNode>}: every node. */
        NODES("nodes", Argument.STAR, Param.DC, Param.STALE),
        /** {@code List<String>}: the datacenter names. */
        DATACENTERS("datacenters", Argument.STAR, Param.STALE),
        /** {@code List<String>}: the variable's value, or none when unset. Answered locally. */
        ENV("env", Argument.NAME, Param.DEFAULT),
        /** {@code List<String>}: the file's contents, or none when it does not exist. Answered locally. */
        FILE("file", Argument.PATH);

        private final String label;
        private final Argument argument;
        private final Set<Param> params;

        Kind(String label, Argument argument, Param... params) {
            this.label = label;
            this.argument = argument;
            this.params = params.length == 0 ? EnumSet.noneOf(Param.class) : EnumSet.copyOf(Arrays.asList(params));
        }

        /** The kind as written in a template, e.g. {@code keyExists}. */
        public String label() {
            return label;
        }

        /** True for env: and file:, which are answered from this machine, not the store. */
        public boolean isLocal() {
            return this == ENV || this == FILE;
        }

        static Kind named(String label) {
            for (Kind k : values()) {
                if (k.label.equals(label)) {
                    return k;
                }
            }
            return null;
        }

        private String paramList() {
            return params.isEmpty() ? "no parameters"
                    : params.stream().map(Param::label).collect(Collectors.joining(", "));
        }
    }

    private final Kind kind;
    private final String argument;
    private final List<String> tags;
    private final Set<String> states;
    private final String datacenter;
    private final boolean stale;
    private final String defaultValue;
    private final String canonical;

    private Query(Kind kind, String argument, Set<String> tags, Set<String> states, String datacenter,
                  boolean stale, String defaultValue) {
        this.kind = kind;
        this.argument = argument;
        this.tags = List.copyOf(new TreeSet<>(tags));
        Set<String> ordered = new LinkedHashSet<>();
        STATES.stream().filter(states::contains).forEach(ordered::add);
        this.states = Collections.unmodifiableSet(ordered);
        this.datacenter = datacenter;
        this.stale = stale;
        this.defaultValue = defaultValue;
        this.canonical = render();
    }

    /** True when a Mustache tag name is a query: any name with a colon (TEMPLATES.md). */
    public static boolean isQuery(String tagName) {
        return tagName != null && tagName.indexOf(':') >= 0;
    }

    /**
     * Parses a query name.
     *
     * @throws IllegalArgumentException naming the bad part: unknown kind, unknown or inapplicable
     *                                  parameter, bad value or missing argument
     */
    public static Query parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw bad(text, "not a query (expected kind:argument)");
        }
        String kindName = text.substring(0, colon);
        Kind kind = Kind.named(kindName);
        if (kind == null) {
            throw bad(text, "unknown query kind \"" + kindName + "\"", "known: "
                    + Arrays.stream(Kind.values()).map(Kind::label).collect(Collectors.joining(", ")));
        }
        String rest = text.substring(colon + 1);
        int question = rest.indexOf('?');
        String argument = normaliseArgument(text, kind, question < 0 ? rest : rest.substring(0, question));

        Set<String> tags = new TreeSet<>();
        Set<String> states = DEFAULT_STATES;
        String dc = null;
        boolean stale = false;
        String defaultValue = null;
        Set<Param> seen = EnumSet.noneOf(Param.class);
        if (question >= 0) {
            for (String pair : rest.substring(question + 1).split("&", -1)) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                if (name.isEmpty()) {
                    throw bad(text, "empty parameter name");
                }
                Param param = Param.named(name);
                if (param == null) {
                    throw bad(text, "unknown parameter \"" + name + "\"", kind.label + " takes " + kind.paramList());
                }
                if (!kind.params.contains(param)) {
                    throw bad(text, "parameter \"" + name + "\" does not apply to " + kind.label,
                            kind.label + " takes " + kind.paramList());
                }
                if (eq < 0) {
                    throw bad(text, "parameter \"" + name + "\" needs a value", name + "=...");
                }
                if (param != Param.TAG && !seen.add(param)) {
                    throw bad(text, "parameter \"" + name + "\" given twice");
                }
                String value = pair.substring(eq + 1);
                switch (param) {
                    case TAG -> tags.add(nonEmpty(text, name, value));
                    case STATE -> states = parseStates(text, value);
                    case DC -> dc = nonEmpty(text, name, value);
                    case STALE -> stale = parseBoolean(text, name, value);
                    case DEFAULT -> defaultValue = value;
                }
            }
        }
        return new Query(kind, argument, tags, states, dc, stale, defaultValue);
    }

    /** The {@code service:NAME} query that a {@code services:*} entry's {@code Instances} stands for. */
    Query instancesOf(String serviceName) {
        return new Query(Kind.SERVICE, serviceName, new TreeSet<>(tags), DEFAULT_STATES, datacenter, stale, null);
    }

    /**
     * This query without {@code default}, which only changes how a result is rendered: a watcher
     * can fetch {@code key:a?default=1} and {@code key:a} once.
     */
    public Query withoutDefault() {
        return defaultValue == null ? this
                : new Query(kind, argument, new TreeSet<>(tags), states, datacenter, stale, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The argument after the colon, normalised: prefixes have no leading or trailing {@code /}. */
    public String argument() {
        return argument;
    }

    /** Tags that must all be present, sorted. */
    public List<String> tags() {
        return tags;
    }

    /** Health states to include ({@code passing} unless asked otherwise), in canonical order. */
    public Set<String> states() {
        return states;
    }

    public Optional<String> datacenter() {
        return Optional.ofNullable(datacenter);
    }

    public boolean stale() {
        return stale;
    }

    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Query other && canonical.equals(other.canonical);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    /** The canonical form; {@link #parse} of it gives an equal query. */
    @Override
    public String toString() {
        return canonical;
    }

    private String render() {
        List<String> params = new ArrayList<>();
        tags.forEach(t -> params.add("tag=" + t));
        if (!states.equals(DEFAULT_STATES)) {
            params.add("state=" + (states.size() == STATES.size() ? "any" : String.join(",", states)));
        }
        if (datacenter != null) {
            params.add("dc=" + datacenter);
        }
        if (stale) {
            params.add("stale=true");
        }
        if (defaultValue != null) {
            params.add("default=" + defaultValue);
        }
        String base = kind.label + ":" + argument;
        return params.isEmpty() ? base : base + "?" + String.join("&", params);
    }

    private static String normaliseArgument(String text, Kind kind, String raw) {
        switch (kind.argument) {
            case STAR -> {
                if (!raw.equals("*")) {
                    throw bad(text, kind.label + " takes \"*\" as its argument", "write " + kind.label + ":*");
                }
                return raw;
            }
            case PREFIX -> {
                // Consul keys never start with '/', and a prefix names a folder with or without its
                // trailing '/': tree:app/config and tree:app/config/ are one query. Empty = the root.
                String p = raw;
                while (p.startsWith("/")) {
                    p = p.substring(1);
                }
                while (p.endsWith("/")) {
                    p = p.substring(0, p.length() - 1);
                }
                return p;
            }
            case PATH -> {
                String p = kind == Kind.FILE ? raw : raw.replaceFirst("^/+", "");
                if (p.isEmpty()) {
                    throw bad(text, kind.label + " needs a path", kind.label + ":PATH");
                }
                return p;
            }
            default -> {
                if (raw.isEmpty()) {
                    throw bad(text, kind.label + " needs a name", kind.label + ":NAME");
                }
                return raw;
            }
        }
    }

    private static Set<String> parseStates(String text, String value) {
        Set<String> states = new LinkedHashSet<>();
        for (String s : value.split(",", -1)) {
            if (s.equals("any")) {
                states.addAll(STATES);
            } else if (STATES.contains(s)) {
                states.add(s);
            } else {
                throw bad(text, "unknown state \"" + s + "\"", "known: " + String.join(", ", STATES) + ", any");
            }
        }
        return states;
    }

    private static boolean parseBoolean(String text, String name, String value) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(text, "parameter \"" + name + "\" must be true or false, not \"" + value + "\"");
        };
    }

    private static String nonEmpty(String text, String name, String value) {
        if (value.isEmpty()) {
            throw bad(text, "parameter \"" + name + "\" needs a value", name + "=...");
        }
        return value;
    }

    private static IllegalArgumentException bad(String text, String problem) {
        return new IllegalArgumentException(problem + " in \"" + text + "\"");
    }

    private static IllegalArgumentException bad(String text, String problem, String hint) {
        return new IllegalArgumentException(problem + " in \"" + text + "\" (" + hint + ")");
    }
}

package dev.cairn.watcher;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cairn.template.TemplateEngine;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one daemon config file, JSON or YAML by its extension, into a {@link DaemonConfig.Builder}.
 * The shape is consul-template's, in snake_case:
 *
 * <pre>{@code
 * {"wait": "2s:10s", "max_stale": "2s", "block_query_wait": "60s",
 *  "retry": {"attempts": 0, "backoff": "250ms", "max_backoff": "1m"},
 *  "log_level": "info", "pid_file": "/run/cairn-template.pid",
 *  "kill_signal": "SIGINT", "reload_signal": "SIGHUP",
 *  "consul": {"address": "127.0.0.1:8500", "token": "..."},
 *  "exec": {"command": "my-app --config out.conf", "reload_signal": "SIGHUP", "kill_signal": "SIGTERM",
 *           "kill_timeout": "30s"},
 *  "status_addr": "127.0.0.1:8900",
 *  "template": [{"source": "in.ctmpl", "destination": "out.conf", "command": "nginx -s reload", ...}]}
 * }</pre>
 *
 * The file is walked by hand rather than bound to classes, so that every complaint names the file
 * and the key's path ({@code daemon.json: template[1].wait: min 10s is more than max 2s}) and an
 * unknown key is an error, not silently ignored: a misspelt {@code comand} must not go unnoticed.
 */
final class ConfigFile {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final String file;

    private ConfigFile(Path file) {
        this.file = file.toString();
    }

    static void apply(Path path, DaemonConfig.Builder b) {
        new ConfigFile(path).apply(read(path), b);
    }

    private static JsonNode read(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper;
        if (name.endsWith(".json")) {
            mapper = JSON;
        } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            mapper = YAML;
        } else {
            throw new IllegalArgumentException(path + ": unknown config format: name it .json, .yaml or .yml");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(path + ": no such config file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(path + ": cannot read config file: permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot read config file: " + e.getMessage());
        }
        try {
            JsonNode root = mapper.readTree(bytes);
            if (root == null || root.isMissingNode() || root.isNull()) {
                throw new IllegalArgumentException(path + ": empty config file");
            }
            if (!root.isObject()) {
                throw new IllegalArgumentException(path + ": expected an object of settings at the top");
            }
            return root;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
            throw new IllegalArgumentException(path + where + ": not valid " + (mapper == JSON ? "JSON" : "YAML")
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot read config file: " + e.getMessage());
        }
    }

    private void apply(JsonNode root, DaemonConfig.Builder b) {
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            try {
                switch (key) {
                    case "wait" -> b.quiescence = wait(key, v);
                    case "max_stale" -> b.maxStale = duration(key, v);
                    case "block_query_wait" -> b.blockQueryWait = positive(key, v);
                    case "retry" -> b.retry = retry(key, v, b.retry);
                    case "log_level" -> b.logLevel(text(key, v));
                    case "pid_file" -> b.pidFile = Path.of(text(key, v));
                    case "kill_signal" -> b.killSignal(text(key, v));
                    case "reload_signal" -> b.reloadSignal(text(key, v));
                    case "consul" -> consul(key, v, b);
                    case "exec" -> exec(key, v, b);
                    case "status_addr" -> b.statusAddr(text(key, v));
                    case "template" -> {
                        if (v.isArray()) {
                            for (int i = 0; i < v.size(); i++) {
                                b.drafts.add(template(key + "[" + i + "]", v.get(i)));
                            }
                        } else {
                            b.drafts.add(template(key, v));
                        }
                    }
                    default -> throw unknown(key);
                }
            } catch (Bad bad) {
                throw new IllegalArgumentException(file + ": " + bad.getMessage());
            } catch (IllegalArgumentException ex) {
                // a builder setter's own complaint: add where it was
                throw new IllegalArgumentException(file + ": " + key + ": " + ex.getMessage());
            }
        }
    }

    private void consul(String path, JsonNode v, DaemonConfig.Builder b) {
        object(path, v);
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = path + "." + e.getKey();
            switch (e.getKey()) {
                case "address" -> b.consulAddress = text(key, e.getValue());
                case "token" -> {
                    // "" is no token, as in consul-template
                    if (!e.getValue().isTextual()) {
                        throw new Bad(key + ": expected a string, not " + e.getValue());
                    }
                    b.consulToken = e.getValue().textValue().isBlank() ? null : e.getValue().textValue().strip();
                }
                // consul-template keeps retry here; Cairn accepts it at the top too
                case "retry" -> b.retry = retry(key, e.getValue(), b.retry);
                default -> throw unknown(key);
            }
        }
    }

    /** {@code command} is a shell command (a string) or an argv (an array of strings). */
    private void exec(String path, JsonNode v, DaemonConfig.Builder b) {
        object(path, v);
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = path + "." + e.getKey();
            JsonNode x = e.getValue();
            try {
                switch (e.getKey()) {
                    case "command" -> {
                        if (x.isArray() && !x.isEmpty()) {
                            java.util.List<String> argv = new java.util.ArrayList<>();
                            for (JsonNode a : x) {
                                argv.add(text(key, a));
                            }
                            b.execCommand = argv;
                        } else {
                            b.exec(text(key, x));
                        }
                    }
                    case "reload_signal" -> b.execReloadSignal(command(key, x));
                    case "kill_signal" -> b.execKillSignal(text(key, x));
                    case "kill_timeout" -> b.execKillTimeout(positive(key, x));
                    default -> throw unknown(key);
                }
            } catch (Bad bad) {
                throw bad;
            } catch (IllegalArgumentException ex) {
                throw new Bad(key + ": " + ex.getMessage());
            }
        }
        if (b.execCommand == null) {
            throw new Bad(path + ": missing command");
        }
    }

    private TemplateConfig.Draft template(String path, JsonNode v) {
        object(path, v);
        TemplateConfig.Draft d = new TemplateConfig.Draft(file + ": " + path);
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = path + "." + e.getKey();
            JsonNode x = e.getValue();
            switch (e.getKey()) {
                case "source" -> d.source = Path.of(text(key, x));
                case "contents" -> d.contents = x.isTextual() ? x.textValue() : text(key, x);
                case "destination" -> d.destination = Path.of(text(key, x));
                case "command" -> d.command = command(key, x);
                case "command_timeout" -> d.commandTimeout = positive(key, x);
                case "check_command" -> d.checkCommand = command(key, x);
                case "perms" -> d.perms = perms(key, x);
                case "backup" -> d.backup = bool(key, x);
                case "wait" -> d.quiescence = wait(key, x);
                case "create_dest_dirs" -> d.createDestDirs = bool(key, x);
                case "left_delimiter" -> d.leftDelimiter = text(key, x);
                case "right_delimiter" -> d.rightDelimiter = text(key, x);
                case "error_on_missing_key" -> d.errorOnMissingKey = bool(key, x);
                default -> throw unknown(key);
            }
        }
        if (d.source != null && d.contents != null) {
            throw new Bad(path + ": has both source and contents: give one");
        }
        if (d.source == null && d.contents == null) {
            throw new Bad(path + ": needs a source (a template file) or contents");
        }
        if (d.destination == null) {
            throw new Bad(path + ": missing destination");
        }
        if ((d.leftDelimiter == null) != (d.rightDelimiter == null)) {
            throw new Bad(path + ": give left_delimiter and right_delimiter together");
        }
        if (d.leftDelimiter != null) {
            try {
                new TemplateEngine().withDelimiters(d.leftDelimiter, d.rightDelimiter);
            } catch (IllegalArgumentException e) {
                throw new Bad(path + ".left_delimiter: " + e.getMessage());
            }
        }
        return d;
    }

    // ------------------------------------------------------------------ values

    private DaemonConfig.Wait wait(String key, JsonNode v) {
        try {
            if (v.isObject()) {
                Duration min = null;
                Duration max = null;
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    switch (e.getKey()) {
                        case "min" -> min = duration(key + ".min", e.getValue());
                        case "max" -> max = duration(key + ".max", e.getValue());
                        default -> throw unknown(key + "." + e.getKey());
                    }
                }
                if (min == null) {
                    throw new Bad(key + ": missing min");
                }
                return new DaemonConfig.Wait(min, max != null ? max : min.multipliedBy(4));
            }
            return DaemonConfig.Wait.parse(text(key, v));
        } catch (Bad e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new Bad(key + ": " + e.getMessage() + " (expected MIN:MAX such as \"2s:10s\")");
        }
    }

    private DaemonConfig.Retry retry(String path, JsonNode v, DaemonConfig.Retry current) {
        object(path, v);
        int attempts = current.attempts();
        Duration backoff = current.backoff();
        Duration maxBackoff = current.maxBackoff();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = path + "." + e.getKey();
            switch (e.getKey()) {
                case "attempts" -> {
                    if (!e.getValue().canConvertToInt() || !e.getValue().isIntegralNumber() || e.getValue().intValue() < 0) {
                        throw new Bad(key + ": expected a whole number, 0 for forever, not " + e.getValue());
                    }
                    attempts = e.getValue().intValue();
                }
                case "backoff" -> backoff = positive(key, e.getValue());
                case "max_backoff" -> maxBackoff = positive(key, e.getValue());
                default -> throw unknown(key);
            }
        }
        try {
            return new DaemonConfig.Retry(attempts, backoff, maxBackoff);
        } catch (IllegalArgumentException e) {
            throw new Bad(path + ": " + e.getMessage());
        }
    }

    private static Duration duration(String key, JsonNode v) {
        if (!v.isTextual()) {
            throw new Bad(key + ": expected a duration such as \"2s\", not " + v);
        }
        try {
            return DurationText.parse(v.textValue());
        } catch (IllegalArgumentException e) {
            throw new Bad(key + ": " + e.getMessage());
        }
    }

    private static Duration positive(String key, JsonNode v) {
        Duration d = duration(key, v);
        if (d.isZero()) {
            throw new Bad(key + ": must be more than 0");
        }
        return d;
    }

    /** An octal string ({@code "0644"}), or a number that is the mode itself (YAML reads {@code 0644} as 420). */
    private static int perms(String key, JsonNode v) {
        int mode;
        if (v.isIntegralNumber() && v.canConvertToInt()) {
            mode = v.intValue();
        } else if (v.isTextual() && v.textValue().strip().matches("0?[0-7]{3}")) {
            mode = Integer.parseInt(v.textValue().strip(), 8);
        } else {
            throw new Bad(key + ": expected an octal mode such as \"0644\", not " + v);
        }
        if (mode < 0 || mode > 0777) {
            throw new Bad(key + ": " + v + " is not a file mode (0000 to 0777)");
        }
        return mode;
    }

    private static String text(String key, JsonNode v) {
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw new Bad(key + ": expected a non-empty string, not " + (v.isTextual() ? "\"\"" : v.toString()));
        }
        return v.textValue().strip();
    }

    /** A command; an empty string is allowed and means none. */
    private static String command(String key, JsonNode v) {
        if (!v.isTextual()) {
            throw new Bad(key + ": expected a shell command as a string, not " + v);
        }
        return v.textValue();
    }

    private static boolean bool(String key, JsonNode v) {
        if (!v.isBoolean()) {
            throw new Bad(key + ": expected true or false, not " + v);
        }
        return v.booleanValue();
    }

    private static void object(String key, JsonNode v) {
        if (!v.isObject()) {
            throw new Bad(key + ": expected an object, not " + v);
        }
    }

    private static Bad unknown(String key) {
        return new Bad("unknown key \"" + key + "\"");
    }

    /** A complaint about one key, without the file name yet. */
    private static final class Bad extends RuntimeException {
        Bad(String message) {
            super(message, null, false, false);
        }
    }
}

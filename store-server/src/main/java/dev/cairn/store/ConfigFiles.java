package dev.cairn.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads server settings from Consul-style JSON config files ({@code -config-file F}, repeatable,
 * and every {@code *.json} in {@code -config-dir D}, in name order; later files win). Keys are
 * Consul's ({@code data_dir}, {@code node_name}, {@code ports.http}, ...). An unknown key is an
 * error naming the file, so a typo never silently falls back to a default.
 */
public final class ConfigFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigFiles() {
    }

    /** The files to read, in order: each -config-file, then each dir's *.json sorted by name. */
    public static List<Path> expand(List<Path> files, List<Path> dirs) throws IOException {
        List<Path> all = new ArrayList<>(files);
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("-config-dir " + dir + " is not a directory");
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().forEach(all::add);
            }
        }
        return all;
    }

    public static void apply(Path file, ServerConfig config) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("config file " + file + ": " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("config file " + file + ": expected a JSON object");
        }
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            set(file, f.getKey(), f.getValue(), config);
        }
    }

    private static void set(Path file, String key, JsonNode v, ServerConfig c) {
        switch (key) {
            case "datacenter" -> c.datacenter = text(file, key, v);
            case "data_dir" -> c.dataDir = Path.of(text(file, key, v));
            case "node_name" -> c.nodeName = text(file, key, v);
            case "bind_addr" -> c.bind = text(file, key, v);
            case "client_addr" -> c.clientAddr = text(file, key, v);
            case "bootstrap_expect" -> c.bootstrapExpect = number(file, key, v);
            case "bootstrap" -> c.bootstrap = bool(file, key, v);
            case "server" -> bool(file, key, v); // every Cairn agent is a server
            case "enable_script_checks" -> c.enableScriptChecks = bool(file, key, v);
            case "raft_snapshot_threshold" -> c.snapshotThreshold = number(file, key, v);
            case "retry_join", "start_join" -> {
                if (!v.isArray()) {
                    throw bad(file, key, "a list of host:port strings", v);
                }
                v.forEach(j -> c.join.add(text(file, key, j)));
            }
            case "ports" -> {
                if (!v.isObject()) {
                    throw bad(file, key, "an object", v);
                }
                v.fields().forEachRemaining(p -> {
                    switch (p.getKey()) {
                        case "http" -> c.httpPort = number(file, "ports.http", p.getValue());
                        case "dns" -> c.dnsPort = number(file, "ports.dns", p.getValue());
                        case "server" -> c.raftPort = number(file, "ports.server", p.getValue());
                        default -> throw new IllegalArgumentException("config file " + file
                                + ": unknown key \"ports." + p.getKey() + "\" (known: http, dns, server)");
                    }
                });
            }
            case "limits" -> v.fields().forEachRemaining(p -> {
                if (p.getKey().equals("kv_max_value_size")) {
                    c.maxValueBytes = number(file, "limits.kv_max_value_size", p.getValue());
                } else {
                    throw new IllegalArgumentException("config file " + file + ": unknown key \"limits."
                            + p.getKey() + "\" (known: kv_max_value_size)");
                }
            });
            default -> throw new IllegalArgumentException("config file " + file + ": unknown key \"" + key
                    + "\" (known: datacenter, data_dir, node_name, bind_addr, client_addr, bootstrap_expect, "
                    + "bootstrap, server, enable_script_checks, raft_snapshot_threshold, retry_join, start_join, ports, limits)");
        }
    }

    private static String text(Path file, String key, JsonNode v) {
        if (!v.isTextual()) {
            throw bad(file, key, "a string", v);
        }
        return v.asText();
    }

    private static int number(Path file, String key, JsonNode v) {
        if (!v.canConvertToInt()) {
            throw bad(file, key, "a number", v);
        }
        return v.asInt();
    }

    private static boolean bool(Path file, String key, JsonNode v) {
        if (!v.isBoolean()) {
            throw bad(file, key, "true or false", v);
        }
        return v.asBoolean();
    }

    private static IllegalArgumentException bad(Path file, String key, String expected, JsonNode got) {
        return new IllegalArgumentException("config file " + file + ": \"" + key + "\" must be " + expected
                + ", got " + got);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

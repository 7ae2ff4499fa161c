package dev.cairn.store.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request body object read the way Consul decodes them: field names match case-insensitively
 * and in snake_case too ({@code ServiceID}, {@code serviceid}, {@code service_id}, kiwi's {@code Id}).
 * Every accessor fails with a 400 naming the field and what was expected.
 */
public final class RequestJson {

    private final Map<String, JsonNode> fields = new LinkedHashMap<>();
    private final String where;

    private RequestJson(JsonNode obj, String where) {
        this.where = where;
        Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            fields.putIfAbsent(normalize(f.getKey()), f.getValue());
        }
    }

    private static String normalize(String name) {
        return name.replace("_", "").toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses a body that must be a JSON object; an empty body is an empty object if allowed. */
    public static RequestJson parse(byte[] body, boolean emptyAllowed) {
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            if (emptyAllowed) {
                return new RequestJson(Responses.JSON.createObjectNode(), "request body");
            }
            throw ApiException.badRequest("Request decode failed: empty body, expected a JSON object");
        }
        JsonNode root;
        try {
            root = Responses.JSON.readTree(body);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
            throw ApiException.badRequest("Request decode failed: " + msg);
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("Request decode failed: expected a JSON object");
        }
        return new RequestJson(root, "request body");
    }

    public static RequestJson of(JsonNode obj, String where) {
        if (obj == null || !obj.isObject()) {
            throw ApiException.badRequest("Request decode failed: " + where + " must be a JSON object");
        }
        return new RequestJson(obj, where);
    }

    public boolean has(String... names) {
        return node(names) != null;
    }

    private JsonNode node(String... names) {
        for (String n : names) {
            JsonNode v = fields.get(normalize(n));
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    private ApiException bad(String name, String expected, JsonNode got) {
        return ApiException.badRequest("Request decode failed: " + name + " must be " + expected + ", got " + got);
    }

    public String text(String... names) {
        JsonNode v = node(names);
        if (v == null) {
            return "";
        }
        if (!v.isValueNode()) {
            throw bad(names[0], "a string", v);
        }
        return v.asText();
    }

    public int port(String name) {
        JsonNode v = node(name);
        if (v == null) {
            return 0;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0 || v.asInt() > 65535) {
            throw ApiException.badRequest("Invalid " + name + ": " + v + " is not a port number (0-65535)");
        }
        return v.asInt();
    }

    public int integer(String name, int absent) {
        JsonNode v = node(name);
        if (v == null) {
            return absent;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw bad(name, "an integer", v);
        }
        return v.asInt();
    }

    public boolean bool(String... names) {
        JsonNode v = node(names);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw bad(names[0], "true or false", v);
        }
        return v.asBoolean();
    }

    public List<String> strings(String... names) {
        JsonNode v = node(names);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw bad(names[0], "a list of strings", v);
        }
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw bad(names[0], "a list of strings", v);
            }
            out.add(e.asText());
        }
        return out;
    }

    public Map<String, String> stringMap(String... names) {
        JsonNode v = node(names);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!v.isObject()) {
            throw bad(names[0], "an object of strings", v);
        }
        v.fields().forEachRemaining(f -> {
            if (!f.getValue().isValueNode()) {
                throw bad(names[0] + "." + f.getKey(), "a string", f.getValue());
            }
            out.put(f.getKey(), f.getValue().asText());
        });
        return out;
    }

    public Map<String, List<String>> stringListMap(String name) {
        JsonNode v = node(name);
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!v.isObject()) {
            throw bad(name, "an object of string lists", v);
        }
        v.fields().forEachRemaining(f -> {
            List<String> values = new ArrayList<>();
            if (f.getValue().isArray()) {
                f.getValue().forEach(e -> values.add(e.asText()));
            } else {
                values.add(f.getValue().asText());
            }
            out.put(f.getKey(), values);
        });
        return out;
    }

    /** The field names of a nested object, as the client spelled them. */
    public List<String> stringKeys(String name) {
        JsonNode v = node(name);
        List<String> out = new ArrayList<>();
        if (v != null && v.isObject()) {
            v.fieldNames().forEachRemaining(out::add);
        }
        return out;
    }

    public RequestJson object(String... names) {
        JsonNode v = node(names);
        return v == null ? null : of(v, names[0]);
    }

    public List<RequestJson> objects(String... names) {
        JsonNode v = node(names);
        List<RequestJson> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw bad(names[0], "a list of objects", v);
        }
        for (JsonNode e : v) {
            out.add(of(e, names[0]));
        }
        return out;
    }

    /**
     * A duration: a Go duration string, or (as some clients send) a number of nanoseconds.
     * Returns null when absent.
     */
    public Duration duration(String name) {
        JsonNode v = node(name);
        if (v == null || (v.isTextual() && v.asText().isEmpty())) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return Duration.ofNanos(v.asLong());
        }
        try {
            return GoDuration.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Invalid " + name + ": \"" + v.asText() + "\" is not a duration ("
                    + e.getMessage() + "); use e.g. \"10s\" or \"1m\"");
        }
    }
}

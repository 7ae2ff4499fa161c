package dev.cairn.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.client.CairnClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Service definition files as {@code consul services register FILE} reads them, JSON only:
 * {@code {"service": {...}}}, {@code {"services": [...]}}, or a bare service object. Keys match
 * as the server matches them (any case, underscores ignored: {@code Name}, {@code name},
 * {@code enable_tag_override}), so each service object is sent to the server unchanged.
 */
final class ServiceDefinitions {

    private static final String SHAPE =
            "expected a service definition: {\"service\": {...}}, {\"services\": [...]} or a service object";

    private ServiceDefinitions() {
    }

    /** A file that cannot be read or is not a service definition; the message names the file. */
    static final class BadFileException extends RuntimeException {
        BadFileException(Path file, String problem) {
            super(file + ": " + problem);
        }
    }

    /** The service objects of every file, in order; all files are read before anything is sent. */
    static List<ObjectNode> load(List<String> files) {
        List<ObjectNode> out = new ArrayList<>();
        for (String f : files) {
            out.addAll(load(Path.of(f)));
        }
        return out;
    }

    static List<ObjectNode> load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadFileException(file, "no such file");
        } catch (IOException e) {
            throw new BadFileException(file, "cannot read: " + e.getMessage());
        }
        JsonNode root;
        try {
            root = CairnClient.JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(bytes);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new BadFileException(file, "malformed JSON" + where + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new BadFileException(file, "cannot read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new BadFileException(file, "empty file, " + SHAPE);
        }
        if (!root.isObject()) {
            throw new BadFileException(file, SHAPE);
        }
        JsonNode one = field(root, "service");
        JsonNode many = field(root, "services");
        if (one == null && many == null) {
            return List.of((ObjectNode) root);
        }
        List<ObjectNode> services = new ArrayList<>();
        addServices(file, "service", one, services);
        addServices(file, "services", many, services);
        if (services.isEmpty()) {
            throw new BadFileException(file, "no services defined");
        }
        return services;
    }

    /** Accepts an object or an array of objects under either key, as Consul's config loader does. */
    private static void addServices(Path file, String key, JsonNode value, List<ObjectNode> out) {
        if (value == null) {
            return;
        }
        if (value.isObject()) {
            out.add((ObjectNode) value);
            return;
        }
        if (!value.isArray()) {
            throw new BadFileException(file, "\"" + key + "\" must be an object or an array of objects");
        }
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isObject()) {
                throw new BadFileException(file, key + "[" + i + "] is not an object");
            }
            out.add((ObjectNode) value.get(i));
        }
    }

    /** The service's name, "" when it has none (the server then refuses it). */
    static String name(ObjectNode service) {
        JsonNode n = field(service, "name");
        return n != null && n.isValueNode() ? n.asText() : "";
    }

    /** The service's ID: its ID, else its name, as the server defaults it. */
    static String id(ObjectNode service) {
        JsonNode n = field(service, "id");
        return n != null && n.isValueNode() && !n.asText().isEmpty() ? n.asText() : name(service);
    }

    /** A field matched as the server matches request keys: any case, underscores ignored. */
    private static JsonNode field(JsonNode object, String normalized) {
        Iterator<Map.Entry<String, JsonNode>> it = object.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().replace("_", "").toLowerCase(Locale.ROOT).equals(normalized) && !f.getValue().isNull()) {
                return f.getValue();
            }
        }
        return null;
    }
}

package dev.cairn.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.client.KvPair;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The file format of {@code consul kv export} / {@code import}: a JSON array of
 * {@code {"key","flags","value"}} with the value in standard base64. Written exactly as Go's
 * {@code json.MarshalIndent(entries, "", "\t")} writes it, so exports diff cleanly against
 * Consul's; read as leniently as Go's {@code json.Unmarshal} (field names in any case, unknown
 * fields such as Enterprise's namespace ignored), but checked completely before anything is written.
 */
final class KvExportFormat {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private KvExportFormat() {
    }

    /** Bad import data; the message is one line saying what and where. */
    static final class InvalidException extends Exception {
        InvalidException(String message) {
            super(message);
        }
    }

    static String write(List<KvPair> pairs) {
        if (pairs.isEmpty()) {
            return "[]";
        }
        StringBuilder out = new StringBuilder("[\n");
        for (int i = 0; i < pairs.size(); i++) {
            KvPair p = pairs.get(i);
            out.append("\t{\n\t\t\"key\": ");
            goString(out, p.key());
            out.append(",\n\t\t\"flags\": ").append(Long.toUnsignedString(p.flags()))
                    .append(",\n\t\t\"value\": \"").append(Base64.getEncoder().encodeToString(p.value()))
                    .append("\"\n\t}").append(i < pairs.size() - 1 ? ",\n" : "\n");
        }
        return out.append(']').toString();
    }

    /** A JSON string as Go's encoder writes it: HTML-safe, lower-case hex escapes. */
    private static void goString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Parses and checks every entry; throws before returning anything if one is bad. */
    static List<KvPair> read(byte[] data, String prefix) throws InvalidException {
        JsonNode root;
        try {
            root = STRICT.readTree(data);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new InvalidException("Cannot unmarshal data: " + oneLine(e.getOriginalMessage()) + where);
        } catch (IOException e) {
            throw new InvalidException("Cannot unmarshal data: " + oneLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidException("Cannot unmarshal data: no JSON in input");
        }
        if (!root.isArray()) {
            throw new InvalidException("Cannot unmarshal data: expected a JSON array of {\"key\",\"flags\",\"value\"}, got "
                    + root.getNodeType().toString().toLowerCase());
        }
        List<KvPair> out = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            JsonNode e = root.get(i);
            String at = "entry " + i;
            if (!e.isObject()) {
                throw new InvalidException("Cannot unmarshal data: " + at + " is not an object");
            }
            JsonNode keyNode = field(e, "key");
            if (keyNode == null || !keyNode.isTextual() || keyNode.asText().isEmpty()) {
                throw new InvalidException("Cannot unmarshal data: " + at + " has no \"key\" string");
            }
            String key = prefix + keyNode.asText();
            if (key.startsWith("/")) {
                throw new InvalidException("Cannot unmarshal data: " + at + ": Invalid key. Key must not begin with a '/': " + key);
            }
            long flags = 0;
            JsonNode f = field(e, "flags");
            if (f != null && !f.isNull()) {
                if (!f.isIntegralNumber() || f.bigIntegerValue().signum() < 0 || f.bigIntegerValue().compareTo(MAX_UINT64) > 0) {
                    throw new InvalidException("Cannot unmarshal data: " + at + " (key " + key
                            + "): \"flags\" must be an unsigned integer, got " + f);
                }
                flags = f.bigIntegerValue().longValue();
            }
            byte[] value = new byte[0];
            JsonNode v = field(e, "value");
            if (v != null && !v.isNull()) {
                if (!v.isTextual()) {
                    throw new InvalidException("Cannot unmarshal data: " + at + " (key " + key
                            + "): \"value\" must be a base64 string, got " + v);
                }
                try {
                    value = KvPutCommand.decodeBase64(v.asText());
                } catch (IllegalArgumentException ex) {
                    throw new InvalidException("Error base 64 decoding value for key " + key + ": " + ex.getMessage());
                }
            }
            out.add(KvPair.of(key, flags, value));
        }
        return out;
    }

    /** Go's json.Unmarshal matches field names case-insensitively (exact match first). */
    private static JsonNode field(JsonNode obj, String name) {
        JsonNode exact = obj.get(name);
        if (exact != null) {
            return exact;
        }
        Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equalsIgnoreCase(name)) {
                return f.getValue();
            }
        }
        return null;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}

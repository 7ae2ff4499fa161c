package dev.cairn.template;

import java.util.Objects;

/**
 * One key/value pair as the store holds it, for {@code key}, {@code keyExists}, {@code tree} and
 * {@code ls} queries. {@code value} is the decoded text (Consul's HTTP API sends it base64); a
 * {@code null} value (a key with no body) reads as empty.
 */
public record KvEntry(String path, String value, long flags, long createIndex, long modifyIndex) {

    public KvEntry {
        Objects.requireNonNull(path, "path");
        value = value == null ? "" : value;
    }

    /** An entry with no flags and zero indexes, for tests and fixtures. */
    public static KvEntry of(String path, String value) {
        return new KvEntry(path, value, 0, 0, 0);
    }
}

package dev.cairn.store.state;

import dev.cairn.store.kv.Codec;

import java.io.ByteArrayInputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state of a snapshot restore between its chunks and its commit (see {@code
 * dev.cairn.store.snapshot.Restorer} for why a restore is chunked). It is replicated state like any
 * table: changed only in Raft order and written into Raft snapshots, so a server that installs a
 * snapshot taken mid-restore, or restarts mid-restore, still holds every chunk the log before it
 * carried.
 *
 * <p>One restore at a time: a chunk at offset 0 starts a new one and drops whatever was staged
 * (the newest restore wins; the older one's later chunks and commit are refused). Chunks are keyed
 * by offset, so they may arrive in any order and a repeated chunk is harmless. A staged restore
 * whose uploader died stays until the next restore starts or an abort drops it.
 */
final class RestoreStaging {

    private String restoreId = "";
    private final TreeMap<Long, byte[]> chunks = new TreeMap<>();
    private long bytes;

    RestoreResult chunk(Command.RestoreChunk c) {
        if (c.offset() == 0) {
            clear();
            restoreId = c.restoreId();
        } else if (!c.restoreId().equals(restoreId)) {
            return superseded(c.restoreId());
        }
        byte[] old = chunks.put(c.offset(), c.data());
        bytes += c.data().length - (old == null ? 0 : old.length);
        return RestoreResult.OK;
    }

    void abort(String id) {
        if (id.equals(restoreId)) {
            clear();
        }
    }

    /**
     * Checks that restore {@code c} is staged completely, contiguously and with the SHA-256 it
     * names; returns null if so, else why not.
     */
    String check(Command.RestoreCommit c) {
        if (!c.restoreId().equals(restoreId)) {
            return superseded(c.restoreId()).error();
        }
        long expected = 0;
        MessageDigest sha = sha256();
        for (Map.Entry<Long, byte[]> e : chunks.entrySet()) {
            if (e.getKey() != expected) {
                return "restore " + restoreId + " is missing the bytes at offset " + expected;
            }
            sha.update(e.getValue());
            expected += e.getValue().length;
        }
        if (expected != c.length()) {
            return "restore " + restoreId + " staged " + expected + " bytes, expected " + c.length();
        }
        if (!Arrays.equals(sha.digest(), c.sha256())) {
            return "SHA256 mismatch for the staged state of restore " + restoreId;
        }
        return null;
    }

    /** The staged bytes in order (valid after a successful {@link #check}). */
    InputStream open() {
        return new SequenceInputStream(Collections.enumeration(chunks.values().stream()
                .map(b -> (InputStream) new ByteArrayInputStream(b)).toList()));
    }

    void clear() {
        restoreId = "";
        chunks.clear();
        bytes = 0;
    }

    long stagedBytes() {
        return bytes;
    }

    private RestoreResult superseded(String id) {
        return RestoreResult.refused("restore " + id + " was superseded by "
                + (restoreId.isEmpty() ? "another restore or an abort" : "restore " + restoreId));
    }

    void writeTo(DataOutput out) throws IOException {
        Codec.writeString(out, restoreId);
        out.writeInt(chunks.size());
        for (Map.Entry<Long, byte[]> e : chunks.entrySet()) {
            out.writeLong(e.getKey());
            Codec.writeBytes(out, e.getValue());
        }
    }

    void readFrom(DataInput in) throws IOException {
        clear();
        restoreId = Codec.readString(in);
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            long offset = in.readLong();
            byte[] data = Codec.readBytes(in);
            chunks.put(offset, data);
            bytes += data.length;
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}

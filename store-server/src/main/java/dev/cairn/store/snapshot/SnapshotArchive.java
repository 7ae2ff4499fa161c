package dev.cairn.store.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.store.state.StoreState;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * A backup file, laid out like Consul's: a gzip'd tar of {@code meta.json} ({@link SnapshotMeta}),
 * {@code state.bin} (the state exactly as Raft snapshots encode it, {@link StoreState#exportTo})
 * and {@code SHA256SUMS} (sha256sum's format, for the other two).
 *
 * <p>{@link #verify} checks everything a restore relies on before anything is proposed: gzip
 * and tar structure (so truncation is caught), the checksums, the meta's format and version, and
 * that state.bin decodes to the counts meta.json claims. Whatever fails is named in an
 * {@link InvalidSnapshotException} meant for the user.
 */
public final class SnapshotArchive {

    static final String META = "meta.json";
    static final String STATE = "state.bin";
    static final String SUMS = "SHA256SUMS";
    private static final int MAX_SMALL_FILE = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotArchive() {
    }

    /** A file that is not a usable backup; the message says why, for the user. */
    public static final class InvalidSnapshotException extends IOException {
        public InvalidSnapshotException(String message) {
            super(message);
        }
    }

    /** A verified backup: its meta, and its state.bin extracted to a file with that file's SHA-256. */
    public record Verified(SnapshotMeta meta, Path stateFile, byte[] sha256) {
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes a backup of {@code state} to {@code target}. state.bin is first written next to it
     * (applies wait while the state is cut, so that is done at disk speed), then archived.
     */
    public static SnapshotMeta write(StoreState state, Path target) throws IOException {
        Path stateFile = Files.createTempFile(target.toAbsolutePath().getParent(), ".state-", ".bin");
        try {
            MessageDigest sha = sha256();
            StoreState.Exported cut;
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    new DigestOutputStream(Files.newOutputStream(stateFile), sha), 1 << 16))) {
                cut = state.exportTo(out);
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            SnapshotMeta meta = new SnapshotMeta(cut.term() + "-" + cut.index() + "-" + now.toEpochMilli(),
                    SnapshotMeta.FORMAT, SnapshotMeta.VERSION, cut.index(), cut.term(), now.toString(),
                    Files.size(stateFile), SnapshotMeta.Counts.of(cut.counts()));
            byte[] metaBytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta);
            String sums = hex(sha256().digest(metaBytes)) + "  " + META + "\n"
                    + hex(sha.digest()) + "  " + STATE + "\n";
            try (OutputStream out = Files.newOutputStream(target)) {
                writeArchive(out, metaBytes, stateFile, sums.getBytes(StandardCharsets.US_ASCII), now.getEpochSecond());
            }
            return meta;
        } finally {
            Files.deleteIfExists(stateFile);
        }
    }

    /** The archive itself; tests call it to build damaged backups. */
    static void writeArchive(OutputStream target, byte[] meta, Path stateFile, byte[] sums, long mtime)
            throws IOException {
        // speed over size: a few hundred MB at the default level would take a minute of CPU
        try (GZIPOutputStream gz = new GZIPOutputStream(target, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            writeFile(gz, META, new ByteArrayInputStream(meta), meta.length, mtime);
            try (InputStream in = Files.newInputStream(stateFile)) {
                writeFile(gz, STATE, in, Files.size(stateFile), mtime);
            }
            writeFile(gz, SUMS, new ByteArrayInputStream(sums), sums.length, mtime);
            Tar.writeEnd(gz);
        }
    }

    private static void writeFile(OutputStream out, String name, InputStream in, long size, long mtime) throws IOException {
        Tar.writeHeader(out, name, size, mtime);
        if (in.transferTo(out) != size) {
            throw new IOException(name + " changed while it was archived");
        }
        Tar.writePadding(out, size);
    }

    // ---------------------------------------------------------------- reading

    /**
     * Verifies a backup, extracting its state.bin into {@code workDir}. Changes nothing else;
     * throws {@link InvalidSnapshotException} naming the first problem found.
     */
    public static Verified verify(Path archive, Path workDir) throws IOException {
        if (Files.size(archive) == 0) {
            throw new InvalidSnapshotException("snapshot is empty");
        }
        Path stateFile = workDir.resolve(STATE);
        Map<String, byte[]> small = new HashMap<>();
        Map<String, byte[]> digests = new HashMap<>();
        try (InputStream gz = gunzip(new BufferedInputStream(Files.newInputStream(archive), 1 << 16))) {
            try {
                readEntries(gz, stateFile, small, digests);
            } catch (InvalidSnapshotException | EOFException e) {
                // damaged deflate data can inflate to garbage (or too little) before its CRC
                // fails: blame the damage, found by reading on to the gzip trailer
                gz.transferTo(OutputStream.nullOutputStream());
                throw e;
            }
            // reading to the end makes GZIPInputStream check the CRC and length in its trailer
            gz.transferTo(OutputStream.nullOutputStream());
        } catch (EOFException e) {
            throw new InvalidSnapshotException("snapshot is truncated");
        } catch (ZipException e) {
            throw new InvalidSnapshotException("snapshot is corrupt: its gzip data is damaged (" + e.getMessage() + ")");
        }
        for (String name : List.of(META, STATE, SUMS)) {
            if (!digests.containsKey(name)) {
                throw new InvalidSnapshotException("snapshot has no " + name);
            }
        }
        checkSums(new String(small.get(SUMS), StandardCharsets.UTF_8), digests);
        SnapshotMeta meta = meta(small.get(META));
        checkState(meta, stateFile);
        return new Verified(meta, stateFile, digests.get(STATE));
    }

    private static void readEntries(InputStream gz, Path stateFile, Map<String, byte[]> small,
                                    Map<String, byte[]> digests) throws IOException {
        for (Tar.Header h = Tar.readHeader(gz); h != null; h = Tar.readHeader(gz)) {
            if (digests.containsKey(h.name())) {
                throw new InvalidSnapshotException("snapshot holds " + h.name() + " twice");
            }
            MessageDigest sha = sha256();
            if (h.name().equals(STATE)) {
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(stateFile), sha)) {
                    copy(gz, out, h.size());
                }
            } else if (h.name().equals(META) || h.name().equals(SUMS)) {
                if (h.size() > MAX_SMALL_FILE) {
                    throw new InvalidSnapshotException(h.name() + " is too large (" + h.size() + " bytes)");
                }
                byte[] b = gz.readNBytes((int) h.size());
                if (b.length != h.size()) {
                    throw new EOFException(h.name() + " cut short");
                }
                small.put(h.name(), b);
                sha.update(b);
            } else {
                throw new InvalidSnapshotException("snapshot holds an unexpected file " + h.name());
            }
            digests.put(h.name(), sha.digest());
            Tar.skipPadding(gz, h.size());
        }
    }

    private static InputStream gunzip(InputStream in) throws IOException {
        try {
            return new GZIPInputStream(in, 1 << 16);
        } catch (ZipException | EOFException e) {
            in.close();
            throw new InvalidSnapshotException("snapshot is not a gzip archive (is it a Cairn snapshot?)");
        }
    }

    private static void copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buf = new byte[1 << 16];
        for (long left = size; left > 0; ) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new EOFException("file cut short");
            }
            out.write(buf, 0, n);
            left -= n;
        }
    }

    private static void checkSums(String sums, Map<String, byte[]> digests) throws InvalidSnapshotException {
        Map<String, String> listed = new HashMap<>();
        for (String line : sums.split("\n")) {
            String[] parts = line.trim().split("\\s+\\*?", 2);
            if (parts.length == 2) {
                listed.put(parts[1], parts[0].toLowerCase());
            }
        }
        for (String name : List.of(META, STATE)) {
            String expected = listed.get(name);
            if (expected == null) {
                throw new InvalidSnapshotException("SHA256SUMS does not list " + name);
            }
            if (!expected.equals(hex(digests.get(name)))) {
                throw new InvalidSnapshotException("SHA256 mismatch for " + name);
            }
        }
    }

    private static SnapshotMeta meta(byte[] bytes) throws InvalidSnapshotException {
        SnapshotMeta meta;
        try {
            meta = JSON.readValue(bytes, SnapshotMeta.class);
        } catch (JsonProcessingException e) {
            throw new InvalidSnapshotException("meta.json is not valid: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidSnapshotException("meta.json is not valid: " + e.getMessage());
        }
        if (!SnapshotMeta.FORMAT.equals(meta.format())) {
            throw new InvalidSnapshotException("not a Cairn snapshot: meta.json has no \"Format\": \""
                    + SnapshotMeta.FORMAT + "\" (a Consul snapshot cannot be restored into Cairn)");
        }
        if (meta.version() != SnapshotMeta.VERSION) {
            throw new InvalidSnapshotException("unsupported snapshot version " + meta.version()
                    + " (this Cairn reads version " + SnapshotMeta.VERSION + ")");
        }
        if (meta.counts() == null) {
            throw new InvalidSnapshotException("meta.json is not valid: no Counts");
        }
        return meta;
    }

    /** Decodes state.bin as a restore will, into a throwaway state, and compares it with the meta. */
    private static void checkState(SnapshotMeta meta, Path stateFile) throws IOException {
        long size = Files.size(stateFile);
        if (size != meta.size()) {
            throw new InvalidSnapshotException("state.bin holds " + size + " bytes, meta.json says " + meta.size());
        }
        StoreState decoded;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(stateFile), 1 << 16))) {
            decoded = StoreState.decode(in);
            if (in.read() != -1) {
                throw new InvalidSnapshotException("state.bin does not decode: bytes left after the state");
            }
        } catch (InvalidSnapshotException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidSnapshotException("state.bin does not decode: " + e.getMessage());
        }
        SnapshotMeta.Counts counts = SnapshotMeta.Counts.of(decoded.counts());
        if (!counts.equals(meta.counts())) {
            throw new InvalidSnapshotException("state.bin holds " + counts + ", meta.json says " + meta.counts());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}

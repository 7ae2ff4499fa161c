package dev.cairn.store.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.kv.Codec;
import dev.cairn.store.kv.TxnResult;
import dev.cairn.store.session.SessionCommand;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Encodes a batch of commands as one Raft log entry, and the batch's results as one reply, in the
 * same order. A type byte leads each command so later tables can add command kinds.
 */
public final class CommandCodec {

    private static final byte KV_TXN = 1;
    private static final byte CATALOG = 2;
    private static final byte SESSION = 3;
    /** Followed by one of the RESTORE_* bytes: a snapshot restore's chunk, commit or abort. */
    private static final byte RESTORE = 4;
    private static final byte RESTORE_CHUNK = 1;
    private static final byte RESTORE_COMMIT = 2;
    private static final byte RESTORE_ABORT = 3;
    /** A forwarded batch: origin UUID, sequence number, then a batch (count and commands). */
    private static final byte FORWARDED = 5;
    /** Forwarded batches nest when a deposed leader forwards what followers had forwarded to it. */
    private static final int MAX_NESTING = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CommandCodec() {
    }

    /** One command, type byte first; a batch is a count followed by such encodings. */
    public static byte[] encodeCommand(Command command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (command instanceof Command.KvTxn txn) {
                out.writeByte(KV_TXN);
                Codec.writeOps(out, txn.ops());
            } else if (command instanceof Command.Catalog c) {
                out.writeByte(CATALOG);
                Codec.writeBytes(out, JSON.writeValueAsBytes(c.command()));
            } else if (command instanceof Command.Session s) {
                out.writeByte(SESSION);
                Codec.writeBytes(out, JSON.writeValueAsBytes(s.command()));
            } else if (command instanceof Command.Forwarded f) {
                out.write(encodeForwarded(f.origin(), f.seq(),
                        encodeBatch(f.commands().stream().map(CommandCodec::encodeCommand).toList())));
            } else {
                out.writeByte(RESTORE);
                writeRestore(out, command);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeRestore(DataOutputStream out, Command command) throws IOException {
        if (command instanceof Command.RestoreChunk c) {
            out.writeByte(RESTORE_CHUNK);
            Codec.writeString(out, c.restoreId());
            out.writeLong(c.offset());
            Codec.writeBytes(out, c.data());
        } else if (command instanceof Command.RestoreCommit c) {
            out.writeByte(RESTORE_COMMIT);
            Codec.writeString(out, c.restoreId());
            out.writeLong(c.length());
            Codec.writeBytes(out, c.sha256());
        } else if (command instanceof Command.RestoreAbort a) {
            out.writeByte(RESTORE_ABORT);
            Codec.writeString(out, a.restoreId());
        } else {
            throw new IllegalArgumentException("unknown command " + command.getClass().getName());
        }
    }

    private static Command readRestore(DataInputStream in) throws IOException {
        byte step = in.readByte();
        return switch (step) {
            case RESTORE_CHUNK -> new Command.RestoreChunk(Codec.readString(in), in.readLong(), Codec.readBytes(in));
            case RESTORE_COMMIT -> new Command.RestoreCommit(Codec.readString(in), in.readLong(), Codec.readBytes(in));
            case RESTORE_ABORT -> new Command.RestoreAbort(Codec.readString(in));
            default -> throw new IOException("unknown restore step " + step);
        };
    }

    public static byte[] encodeBatch(List<byte[]> encodedCommands) {
        int size = 4;
        for (byte[] c : encodedCommands) {
            size += c.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size).putInt(encodedCommands.size());
        encodedCommands.forEach(buf::put);
        return buf.array();
    }

    /**
     * A forwarded batch as one command, from the batch's encoding as it is: the leader puts it in
     * its own entries without decoding and encoding each command again.
     */
    public static byte[] encodeForwarded(UUID origin, long seq, byte[] encodedBatch) {
        return ByteBuffer.allocate(1 + 3 * Long.BYTES + encodedBatch.length).put(FORWARDED)
                .putLong(origin.getMostSignificantBits()).putLong(origin.getLeastSignificantBits())
                .putLong(seq).put(encodedBatch).array();
    }

    public static List<Command> decodeBatch(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        List<Command> commands = readBatch(in, 0);
        requireEnd(in);
        return commands;
    }

    /** Exactly one command, as {@link #encodeCommand} or {@link #encodeForwarded} wrote it. */
    public static Command decodeCommand(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        Command command = readCommand(in, 0);
        requireEnd(in);
        return command;
    }

    private static void requireEnd(DataInputStream in) throws IOException {
        if (in.available() > 0) {
            throw new IOException(in.available() + " bytes after the last command");
        }
    }

    private static List<Command> readBatch(DataInputStream in, int nesting) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("a batch of " + n + " commands in " + in.available() + " bytes");
        }
        List<Command> commands = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            commands.add(readCommand(in, nesting));
        }
        return commands;
    }

    private static Command readCommand(DataInputStream in, int nesting) throws IOException {
        byte type = in.readByte();
        return switch (type) {
            case KV_TXN -> new Command.KvTxn(Codec.readOps(in));
            case CATALOG -> new Command.Catalog(JSON.readValue(Codec.readBytes(in), CatalogCommand.class));
            case SESSION -> new Command.Session(JSON.readValue(Codec.readBytes(in), SessionCommand.class));
            case RESTORE -> readRestore(in);
            case FORWARDED -> {
                if (nesting >= MAX_NESTING) {
                    throw new IOException("forwarded batches nested more than " + MAX_NESTING + " deep");
                }
                yield new Command.Forwarded(new UUID(in.readLong(), in.readLong()), in.readLong(),
                        readBatch(in, nesting + 1));
            }
            default -> throw new IOException("unknown command type " + type);
        };
    }

    /** The results of a batch, in order: a count, then each as {@link #writeResult} writes it. */
    public static byte[] encodeResults(List<Object> results) {
        return toBytes(out -> writeResults(out, results));
    }

    public static List<Object> decodeResults(byte[] data) throws IOException {
        return readResults(new DataInputStream(new ByteArrayInputStream(data)));
    }

    /** One result on its own, as {@link #writeResult} writes it. */
    public static byte[] encodeResult(Object result) {
        return toBytes(out -> writeResult(out, result));
    }

    public static Object decodeResult(byte[] data) throws IOException {
        return readResult(new DataInputStream(new ByteArrayInputStream(data)));
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] toBytes(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeResults(DataOutputStream out, List<Object> results) throws IOException {
        out.writeInt(results.size());
        for (Object r : results) {
            writeResult(out, r);
        }
    }

    private static List<Object> readResults(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<Object> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            results.add(readResult(in));
        }
        return results;
    }

    /** One command's result, as {@link #encodeResults} writes each. */
    public static void writeResult(DataOutputStream out, Object r) throws IOException {
        if (r instanceof TxnResult txn) {
            out.writeByte(KV_TXN);
            Codec.writeResult(out, txn);
        } else if (r instanceof RestoreResult rr) {
            out.writeByte(RESTORE);
            out.writeBoolean(rr.ok());
            Codec.writeString(out, rr.error());
        } else if (r instanceof ForwardedResult f) {
            out.writeByte(FORWARDED);
            out.writeBoolean(f.refused() != null);
            if (f.refused() != null) {
                Codec.writeString(out, f.refused());
            } else {
                writeResults(out, f.results());
            }
        } else if (r instanceof SessionCommand.Result s) {
            out.writeByte(SESSION);
            out.writeBoolean(s.ok());
            Codec.writeString(out, s.error());
        } else {
            CatalogCommand.Result c = (CatalogCommand.Result) r;
            out.writeByte(CATALOG);
            out.writeBoolean(c.ok());
            Codec.writeString(out, c.error());
        }
    }

    public static Object readResult(DataInputStream in) throws IOException {
        byte type = in.readByte();
        return switch (type) {
            case KV_TXN -> Codec.readResult(in);
            case CATALOG -> new CatalogCommand.Result(in.readBoolean(), Codec.readString(in));
            case SESSION -> new SessionCommand.Result(in.readBoolean(), Codec.readString(in));
            case RESTORE -> new RestoreResult(in.readBoolean(), Codec.readString(in));
            case FORWARDED -> {
                if (in.readBoolean()) {
                    yield ForwardedResult.refused(Codec.readString(in));
                }
                yield ForwardedResult.applied(readResults(in));
            }
            default -> throw new IOException("unknown result type " + type);
        };
    }
}

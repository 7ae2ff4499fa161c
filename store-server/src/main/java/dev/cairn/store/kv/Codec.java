package dev.cairn.store.kv;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary encoding of KV operations, results and entries, used in Raft log entries, Raft replies
 * and snapshots. Hand-written rather than JSON because every write passes through it twice.
 */
public final class Codec {

    private Codec() {
    }

    public static void writeString(DataOutput out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    public static String readString(DataInput in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    public static void writeBytes(DataOutput out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    public static byte[] readBytes(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt data: negative length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    public static void writeEntry(DataOutput out, KvEntry e) throws IOException {
        writeString(out, e.key());
        writeBytes(out, e.value());
        out.writeLong(e.flags());
        out.writeLong(e.createIndex());
        out.writeLong(e.modifyIndex());
        out.writeLong(e.lockIndex());
        writeString(out, e.session() == null ? "" : e.session());
    }

    public static KvEntry readEntry(DataInput in) throws IOException {
        return new KvEntry(readString(in), readBytes(in), in.readLong(), in.readLong(), in.readLong(),
                in.readLong(), readString(in));
    }

    public static void writeOps(DataOutput out, List<KvOp> ops) throws IOException {
        out.writeInt(ops.size());
        for (KvOp op : ops) {
            out.writeByte(op.verb().ordinal());
            writeString(out, op.key());
            writeBytes(out, op.value() == null ? new byte[0] : op.value());
            out.writeLong(op.flags());
            out.writeLong(op.index());
            writeString(out, op.session());
        }
    }

    public static List<KvOp> readOps(DataInput in) throws IOException {
        int n = in.readInt();
        List<KvOp> ops = new ArrayList<>(n);
        KvOp.Verb[] verbs = KvOp.Verb.values();
        for (int i = 0; i < n; i++) {
            int verb = in.readByte();
            if (verb < 0 || verb >= verbs.length) {
                throw new IOException("corrupt data: unknown KV verb " + verb);
            }
            ops.add(new KvOp(verbs[verb], readString(in), readBytes(in), in.readLong(), in.readLong(),
                    readString(in)));
        }
        return ops;
    }

    public static void writeResult(DataOutput out, TxnResult r) throws IOException {
        out.writeBoolean(r.committed());
        out.writeLong(r.index());
        out.writeInt(r.results().size());
        for (TxnResult.OpResult res : r.results()) {
            out.writeInt(res.opIndex());
            writeEntry(out, res.entry());
        }
        out.writeInt(r.errors().size());
        for (TxnResult.TxnError err : r.errors()) {
            out.writeInt(err.opIndex());
            writeString(out, err.what());
        }
    }

    public static TxnResult readResult(DataInput in) throws IOException {
        boolean committed = in.readBoolean();
        long index = in.readLong();
        int n = in.readInt();
        List<TxnResult.OpResult> results = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            results.add(new TxnResult.OpResult(in.readInt(), readEntry(in)));
        }
        int e = in.readInt();
        List<TxnResult.TxnError> errors = new ArrayList<>(e);
        for (int i = 0; i < e; i++) {
            errors.add(new TxnResult.TxnError(in.readInt(), readString(in)));
        }
        return new TxnResult(committed, results, errors, index);
    }
}

package dev.cairn.store.state;

import dev.cairn.store.kv.Codec;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The results of the forwarded batches applied lately, by origin and sequence number, so that a
 * batch proposed twice (its server lost the leader with the batch in flight and proposed it
 * again) is applied once, and the second copy answers with the first one's results. It is part
 * of the state, kept in snapshots: every replica must decide alike whether a copy is new.
 *
 * <p>Bounded: per origin (one server process) the last {@link #BATCHES_PER_ORIGIN} batches, up to
 * {@link #BYTES_PER_ORIGIN} of results, and the {@link #ORIGINS} origins heard from last. A server
 * has one batch in flight to the leader, so a copy arrives long before its window moves on; one
 * older than its origin's window is refused rather than risk applying it twice.
 */
final class AppliedForwards {

    static final int ORIGINS = 64;
    static final int BATCHES_PER_ORIGIN = 64;
    static final int BYTES_PER_ORIGIN = 1 << 20;

    private static final class Window {
        /** Encoded {@link ForwardedResult}s by sequence number, oldest first. */
        final LinkedHashMap<Long, byte[]> results = new LinkedHashMap<>();
        long bytes;
        /** The highest sequence number dropped from the window; -1 while none was. */
        long droppedUpTo = -1;
    }

    /** In access order: the origin heard from least recently goes first. */
    private final LinkedHashMap<UUID, Window> origins = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Window> eldest) {
            return size() > ORIGINS;
        }
    };

    /**
     * The batch's result: {@code apply}'s for a batch not seen before (and then remembered), the
     * first copy's for a batch applied already.
     */
    ForwardedResult once(Command.Forwarded batch, Supplier<ForwardedResult> apply) {
        Window window = origins.computeIfAbsent(batch.origin(), o -> new Window());
        byte[] earlier = window.results.get(batch.seq());
        if (earlier != null) {
            return decode(earlier);
        }
        if (batch.seq() <= window.droppedUpTo) {
            return ForwardedResult.refused("forwarded batch " + batch.seq() + " from " + batch.origin()
                    + " arrived after its server's last " + BATCHES_PER_ORIGIN
                    + " batches: not applied, as it may have been applied before");
        }
        ForwardedResult result = apply.get();
        byte[] encoded = CommandCodec.encodeResult(result);
        window.results.put(batch.seq(), encoded);
        window.bytes += encoded.length;
        Iterator<Map.Entry<Long, byte[]>> oldest = window.results.entrySet().iterator();
        while (window.results.size() > BATCHES_PER_ORIGIN
                || (window.bytes > BYTES_PER_ORIGIN && window.results.size() > 1)) {
            Map.Entry<Long, byte[]> e = oldest.next();
            window.droppedUpTo = Math.max(window.droppedUpTo, e.getKey());
            window.bytes -= e.getValue().length;
            oldest.remove();
        }
        return result;
    }

    void clear() {
        origins.clear();
    }

    void writeTo(DataOutput out) throws IOException {
        out.writeInt(origins.size());
        for (Map.Entry<UUID, Window> o : origins.entrySet()) {
            out.writeLong(o.getKey().getMostSignificantBits());
            out.writeLong(o.getKey().getLeastSignificantBits());
            Window w = o.getValue();
            out.writeLong(w.droppedUpTo);
            out.writeInt(w.results.size());
            for (Map.Entry<Long, byte[]> r : w.results.entrySet()) {
                out.writeLong(r.getKey());
                Codec.writeBytes(out, r.getValue());
            }
        }
    }

    /** Replaces this table with the one {@link #writeTo} wrote, in the same order. */
    void readFrom(DataInput in) throws IOException {
        origins.clear();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            Window w = new Window();
            UUID origin = new UUID(in.readLong(), in.readLong());
            w.droppedUpTo = in.readLong();
            int batches = in.readInt();
            for (int b = 0; b < batches; b++) {
                long seq = in.readLong();
                byte[] encoded = Codec.readBytes(in);
                w.results.put(seq, encoded);
                w.bytes += encoded.length;
            }
            origins.put(origin, w);
        }
    }

    private static ForwardedResult decode(byte[] encoded) {
        try {
            return (ForwardedResult) CommandCodec.decodeResult(encoded);
        } catch (IOException e) {
            throw new UncheckedIOException("a remembered forwarded result does not decode", e);
        }
    }
}

package dev.cairn.store.raft;

import dev.cairn.store.state.CommandCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The leader's answer to a follower's forwarded batch of writes ({@link ClusterRpc#PROPOSE}).
 * The leader puts each forwarded command in its own group commit, so one batch may end up in
 * several Raft entries, and each command gets its own outcome. "Not the leader" is an answer too:
 * it means nothing was submitted, so the follower may safely send the batch another way.
 */
final class ForwardedBatch {

    private static final byte NOT_LEADER = 0;
    private static final byte DONE = 1;

    private ForwardedBatch() {
    }

    static byte[] notLeader() {
        return new byte[]{NOT_LEADER};
    }

    /** The outcomes of {@code results}, which have all completed. */
    static byte[] done(List<CompletableFuture<Object>> results) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 32 * results.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(DONE);
            out.writeInt(results.size());
            for (CompletableFuture<Object> r : results) {
                Object value;
                try {
                    value = r.join();
                } catch (RuntimeException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    out.writeBoolean(false);
                    out.writeUTF(String.valueOf(cause.getMessage()));
                    continue;
                }
                out.writeBoolean(true);
                CommandCodec.writeResult(out, value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Each command's outcome, in order; null when the server was not the leader. */
    static List<GroupCommitter.Outcome> decode(byte[] reply) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(reply));
        byte status = in.readByte();
        if (status == NOT_LEADER) {
            return null;
        }
        if (status != DONE) {
            throw new IOException("unknown forwarded-batch answer " + status);
        }
        int n = in.readInt();
        List<GroupCommitter.Outcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            outcomes.add(in.readBoolean()
                    ? GroupCommitter.Outcome.ok(CommandCodec.readResult(in))
                    : GroupCommitter.Outcome.failed(in.readUTF()));
        }
        return outcomes;
    }
}

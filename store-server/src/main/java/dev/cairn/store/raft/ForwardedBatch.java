package dev.cairn.store.raft;

import dev.cairn.store.state.CommandCodec;
import dev.cairn.store.state.ForwardedResult;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The leader's answer to a forwarded batch of writes ({@link ClusterRpc#PROPOSE}): its result, or
 * that the server was not the leader (nothing was submitted), or that it could not commit it (it
 * may have been). The forwarding server proposes the batch again after either of the last two;
 * the state machine applies a forwarded batch once (see {@code AppliedForwards}).
 */
final class ForwardedBatch {

    private static final byte NOT_LEADER = 0;
    private static final byte DONE = 1;
    private static final byte FAILED = 2;

    private ForwardedBatch() {
    }

    static byte[] notLeader() {
        return new byte[]{NOT_LEADER};
    }

    static byte[] done(ForwardedResult result) {
        byte[] encoded = CommandCodec.encodeResult(result);
        byte[] answer = new byte[1 + encoded.length];
        answer[0] = DONE;
        System.arraycopy(encoded, 0, answer, 1, encoded.length);
        return answer;
    }

    static byte[] failed(Throwable error) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FAILED);
            out.writeUTF(GroupCommitter.describe(error));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The batch's result; null when it was not committed there and should be proposed again. */
    static ForwardedResult decode(byte[] reply) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(reply));
        byte status = in.readByte();
        return switch (status) {
            case NOT_LEADER, FAILED -> null;
            case DONE -> (ForwardedResult) CommandCodec.readResult(in);
            default -> throw new IOException("unknown forwarded-batch answer " + status);
        };
    }
}

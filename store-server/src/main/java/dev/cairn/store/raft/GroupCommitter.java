package dev.cairn.store.raft;

import dev.cairn.store.state.Command;
import dev.cairn.store.state.CommandCodec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Group commit: concurrent writes share one Raft entry. One KV write per entry tops out near
 * 3,000 entries/s on one node (Ratis 3.2.2 over gRPC, 2 cores); 32 writes per entry gave ~10x
 * that. So while an entry is being replicated, newly arriving commands wait in a queue and leave
 * together in the next entry. Nobody waits on a timer: an idle server sends a lone write at once.
 * Each command still gets its own result, in order.
 *
 * <p>One entry in flight, not several: a cluster commits about as many entries per second with
 * one in flight as with four (the CPU and the fsyncs are the limit, not the round trip), so four
 * only cut the writes per entry by four. With 64 clients spread over 3 servers, one in flight
 * carried 18 writes per entry instead of 7 and gave 2.5-4x the PUTs/s; a lone server gave
 * 25-50% more (BENCHMARKS.md, "Cluster (3 servers)").
 *
 * <p>On a follower the batch goes to the leader, which puts its commands in its own queue: the
 * writes of all servers then share the leader's entries (see {@link Writes}).
 */
final class GroupCommitter implements AutoCloseable {

    static final int MAX_IN_FLIGHT = 1;
    static final int MAX_BATCH_COMMANDS = 512;
    static final int MAX_BATCH_BYTES = 2 << 20;

    private record Pending(byte[] encoded, CompletableFuture<Object> result) {
    }

    /** What became of one command of a batch: its result, or why it failed. */
    record Outcome(Object result, String failure) {
        static Outcome ok(Object result) {
            return new Outcome(result, null);
        }

        static Outcome failed(String why) {
            return new Outcome(null, why);
        }
    }

    /** Proposes a batch of encoded commands; completes with one outcome per command, in order. */
    private final Function<List<byte[]>, CompletableFuture<List<Outcome>>> proposer;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int inFlight;
    private boolean closed;

    GroupCommitter(Function<List<byte[]>, CompletableFuture<List<Outcome>>> proposer) {
        this.proposer = proposer;
    }

    CompletableFuture<Object> submit(Command command) {
        return submitEncoded(CommandCodec.encodeCommand(command));
    }

    /** A command {@link CommandCodec} encoded already (a forwarded batch, as it arrived). */
    CompletableFuture<Object> submitEncoded(byte[] encoded) {
        Pending p = new Pending(encoded, new CompletableFuture<>());
        List<Pending> batch = null;
        synchronized (this) {
            if (closed) {
                p.result.completeExceptionally(new NoLeaderException("server is shutting down"));
                return p.result;
            }
            queue.add(p);
            if (inFlight < MAX_IN_FLIGHT) {
                batch = drain();
            }
        }
        if (batch != null) {
            send(batch);
        }
        return p.result;
    }

    /** Takes the next batch off the queue; caller holds the lock. */
    private List<Pending> drain() {
        List<Pending> batch = new ArrayList<>();
        long bytes = 0;
        while (!queue.isEmpty() && batch.size() < MAX_BATCH_COMMANDS) {
            Pending next = queue.peek();
            if (!batch.isEmpty() && bytes + next.encoded.length > MAX_BATCH_BYTES) {
                break;
            }
            batch.add(queue.poll());
            bytes += next.encoded.length;
        }
        inFlight++;
        return batch;
    }

    private void send(List<Pending> batch) {
        CompletableFuture<List<Outcome>> outcomes;
        try {
            outcomes = proposer.apply(batch.stream().map(Pending::encoded).toList());
        } catch (RuntimeException e) {
            outcomes = CompletableFuture.failedFuture(e);
        }
        outcomes.whenComplete((o, error) -> {
            complete(batch, o, error);
            List<Pending> next = null;
            synchronized (this) {
                inFlight--;
                if (!queue.isEmpty() && inFlight < MAX_IN_FLIGHT) {
                    next = drain();
                }
            }
            if (next != null) {
                send(next);
            }
        });
    }

    private static void complete(List<Pending> batch, List<Outcome> outcomes, Throwable error) {
        if (error == null && outcomes.size() != batch.size()) {
            error = new IllegalStateException(outcomes.size() + " results for " + batch.size() + " commands");
        }
        if (error != null) {
            NoLeaderException failure = new NoLeaderException("write not committed: " + describe(error));
            batch.forEach(p -> p.result.completeExceptionally(failure));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Outcome o = outcomes.get(i);
            if (o.failure() != null) {
                batch.get(i).result.completeExceptionally(new NoLeaderException(o.failure()));
            } else {
                batch.get(i).result.complete(o.result());
            }
        }
    }

    static String describe(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    @Override
    public void close() {
        List<Pending> left;
        synchronized (this) {
            closed = true;
            left = new ArrayList<>(queue);
            queue.clear();
        }
        left.forEach(p -> p.result.completeExceptionally(new NoLeaderException("server is shutting down")));
    }
}

package dev.cairn.store.raft;

import dev.cairn.store.state.Command;
import dev.cairn.store.state.CommandCodec;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Group commit: concurrent writes share one Raft entry. One KV write per entry tops out near
 * 3,000 entries/s on one node (Ratis 3.2.2 over gRPC, 2 cores); 32 writes per entry gave ~10x
 * that. So while an entry is being replicated, newly arriving commands wait in a queue and leave
 * together in the next entry. An idle server sends a lone write at once. Each command still gets
 * its own result, in order.
 *
 * <p>One entry in flight, not several: a cluster commits about as many entries per second with
 * one in flight as with four (the CPU and the fsyncs are the limit, not the round trip), so four
 * only cut the writes per entry by four. With 64 clients spread over 3 servers, one in flight
 * carried 18 writes per entry instead of 7 and gave 2.5-4x the PUTs/s; a lone server gave
 * 25-50% more (BENCHMARKS.md, "Cluster (3 servers)").
 *
 * <p><b>Lingering.</b> Under load, one in flight splits the writers into two halves that take
 * turns: those whose writes are in the entry in flight, and those who wrote meanwhile, who leave
 * in the next entry the moment the first is committed, before its writers had time to write
 * again. So after a batch of several writes is committed, the next batch waits for them: it leaves
 * once as many commands are waiting as the committed batch carried plus those already waiting, or
 * after {@link #LINGER} at the latest (MySQL's binlog group commit has the same pair of knobs,
 * a delay and a count). On a follower, the writers are its clients; on the leader, a follower's
 * forwarded batch counts as one writer. With 64 clients, entries carried 50-60 writes instead
 * of 18-29 and the cluster wrote 1.2-1.6x as much (BENCHMARKS.md, "Lingering").
 *
 * <p>Only a batch of at least {@link #MIN_LINGER_BATCH} commands makes the next one linger. The
 * count cannot tell a writer who came back from a new one, so with many clients that write now
 * and then, lingering after small batches only made writes wait: 16 writers with 10 ms between
 * writes on one server got their answers at p50 2.3-2.6 ms instead of 0.8-1.0 (BENCHMARKS.md,
 * "Lingering"). A lone writer, and a handful, never wait. And writers who do not come back make a
 * batch wait the whole {@link #LINGER}: so a linger that ended with fewer than half of the awaited
 * commands waiting turns lingering off for the next batch, the next 2, 4, ... up to
 * {@link #MAX_SKIPPED} batches, until a linger works again.
 *
 * <p>On a follower the batch goes to the leader, which puts its commands in its own queue: the
 * writes of all servers then share the leader's entries (see {@link Writes}).
 */
final class GroupCommitter implements AutoCloseable {

    static final int MAX_IN_FLIGHT = 1;
    static final int MAX_BATCH_COMMANDS = 512;
    static final int MAX_BATCH_BYTES = 2 << 20;
    /** How long a batch waits at most for the writers of the previous one. */
    static final Duration LINGER = Duration.ofMillis(3);
    /** The least commands in a committed batch that make the next batch linger. */
    static final int MIN_LINGER_BATCH = 8;
    /** After lingers that did not work, at most this many batches leave without one. */
    static final int MAX_SKIPPED = 64;

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
    private final long lingerNanos;
    private final ScheduledExecutorService timer;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int inFlight;
    /** While lingering, how many waiting commands let the next batch leave; 0 when not lingering. */
    private int awaited;
    /** Counts lingers, so that the timer of one that ended early does not end a later one. */
    private long linger;
    /** How many batches still leave without lingering, and how many the next failed linger skips. */
    private int skipping;
    private int skipAfterFailure = 1;
    private boolean closed;

    GroupCommitter(Function<List<byte[]>, CompletableFuture<List<Outcome>>> proposer,
                   Duration linger, ScheduledExecutorService timer) {
        this.proposer = proposer;
        this.lingerNanos = linger.toNanos();
        this.timer = timer;
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
            if (inFlight < MAX_IN_FLIGHT && queue.size() >= awaited) {
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
        if (awaited > 0 && batch.size() >= awaited) {
            skipAfterFailure = 1; // a linger worked: every awaited writer came back in time
        }
        awaited = 0;
        linger++;
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
                if (batch.size() >= MIN_LINGER_BATCH && lingerNanos > 0 && !closed) {
                    if (skipping > 0) {
                        skipping--;
                    } else {
                        awaited = Math.min(MAX_BATCH_COMMANDS, batch.size() + queue.size());
                    }
                }
                if (!queue.isEmpty() && queue.size() >= awaited && inFlight < MAX_IN_FLIGHT) {
                    next = drain();
                } else if (awaited > 0) {
                    long thisLinger = ++linger;
                    timer.schedule(() -> lingered(thisLinger), lingerNanos, TimeUnit.NANOSECONDS);
                }
            }
            if (next != null) {
                send(next);
            }
        });
    }

    /** The linger time is up: whatever is waiting leaves, unless the batch left already. */
    private void lingered(long thisLinger) {
        List<Pending> batch = null;
        synchronized (this) {
            if (thisLinger != linger) {
                return;
            }
            if (queue.size() * 2 < awaited) {
                skipping = skipAfterFailure;
                skipAfterFailure = Math.min(MAX_SKIPPED, skipAfterFailure * 2);
            } else {
                skipAfterFailure = 1;
            }
            awaited = 0;
            if (!queue.isEmpty() && inFlight < MAX_IN_FLIGHT) {
                batch = drain();
            }
        }
        if (batch != null) {
            send(batch);
        }
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

package dev.cairn.store.snapshot;

import dev.cairn.store.state.Command;
import dev.cairn.store.state.Consensus;
import dev.cairn.store.state.RestoreResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Proposes a verified backup's state through Raft, so every server ends in the same state.
 *
 * <p>Why chunks: a Raft entry is bounded by gRPC's message limit (16 MB), the log appender's
 * buffer (8 MB) and the log write buffer (9 MB), all set in {@code RaftNode}; raising them to a
 * few hundred MB would make every follower hold such an entry in memory several times over while
 * replicating it, and stall heartbeats behind it. So the state goes as {@link #CHUNK_BYTES} pieces
 * ({@link Command.RestoreChunk}, one per entry, below {@code GroupCommitter.MAX_BATCH_BYTES}), which
 * every server stages in its state machine (also across Raft snapshots and restarts), and a
 * final {@link Command.RestoreCommit} that checks the staged bytes' length and SHA-256 and swaps
 * them in at one log index. Writes keep flowing meanwhile and the commit replaces them, as a
 * Consul restore does.
 *
 * <p>The first chunk starts the restore (and drops any older staged one), so it goes alone; the
 * rest carry their offsets and go {@link #WINDOW} at a time, in any order. On any failure an abort
 * is proposed so the staged bytes do not linger.
 */
final class Restorer {

    private static final Logger LOG = LoggerFactory.getLogger(Restorer.class);
    static final int CHUNK_BYTES = 1 << 20;
    static final int WINDOW = 4;
    /** Replicating one chunk; with no leader a write fails after about 10 s anyway. */
    private static final long CHUNK_TIMEOUT_SECONDS = 60;
    /** The commit hashes and decodes the whole state on every server. */
    private static final long COMMIT_TIMEOUT_SECONDS = 600;

    /** The restore did not happen; the message says why. */
    static final class RestoreFailedException extends Exception {
        RestoreFailedException(String message) {
            super(message);
        }
    }

    private final Consensus consensus;
    private final int chunkBytes;

    Restorer(Consensus consensus) {
        this(consensus, CHUNK_BYTES);
    }

    Restorer(Consensus consensus, int chunkBytes) {
        this.consensus = consensus;
        this.chunkBytes = chunkBytes;
    }

    void restore(SnapshotArchive.Verified snapshot) throws RestoreFailedException, IOException {
        String id = UUID.randomUUID().toString();
        long length = Files.size(snapshot.stateFile());
        LOG.info("restore {}: proposing snapshot at index {} ({} bytes of state)", id, snapshot.meta().index(), length);
        try (InputStream in = Files.newInputStream(snapshot.stateFile())) {
            Deque<CompletableFuture<Object>> inFlight = new ArrayDeque<>();
            long offset = 0;
            for (byte[] chunk = in.readNBytes(chunkBytes); chunk.length > 0; chunk = in.readNBytes(chunkBytes)) {
                inFlight.add(consensus.submit(new Command.RestoreChunk(id, offset, chunk)));
                if (offset == 0 || inFlight.size() >= WINDOW) {
                    await(inFlight.poll(), CHUNK_TIMEOUT_SECONDS);
                }
                offset += chunk.length;
            }
            while (!inFlight.isEmpty()) {
                await(inFlight.poll(), CHUNK_TIMEOUT_SECONDS);
            }
            await(consensus.submit(new Command.RestoreCommit(id, length, snapshot.sha256())), COMMIT_TIMEOUT_SECONDS);
        } catch (RestoreFailedException | IOException | RuntimeException e) {
            consensus.submit(new Command.RestoreAbort(id));
            throw e;
        }
        LOG.info("restore {}: done, state is now that of snapshot {}", id, snapshot.meta().id());
    }

    private static void await(CompletableFuture<Object> step, long timeoutSeconds) throws RestoreFailedException {
        Object result;
        try {
            result = step.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new RestoreFailedException("restore not committed: " + cause.getMessage());
        } catch (TimeoutException e) {
            throw new RestoreFailedException("restore not committed: no answer within " + timeoutSeconds + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreFailedException("restore interrupted");
        }
        if (result instanceof RestoreResult r && !r.ok()) {
            throw new RestoreFailedException("restore failed: " + r.error());
        }
    }
}

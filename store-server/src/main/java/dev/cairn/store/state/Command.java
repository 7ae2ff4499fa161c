package dev.cairn.store.state;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.kv.KvOp;
import dev.cairn.store.session.SessionCommand;

import java.util.List;
import java.util.UUID;

/** A state change carried by the Raft log. Several commands share one log entry (group commit). */
public sealed interface Command {

    /** A KV transaction: plain PUT/DELETE/CAS are transactions of one operation. */
    record KvTxn(List<KvOp> ops) implements Command {
    }

    /** A change to nodes, services or checks. */
    record Catalog(CatalogCommand command) implements Command {
    }

    /** Creating or destroying a session. */
    record Session(SessionCommand command) implements Command {
    }

    /**
     * A piece of a snapshot being restored: {@code data} is the part of its state at {@code offset}.
     * Staged until {@link RestoreCommit}; a chunk at offset 0 starts a new restore (see {@link RestoreStaging}).
     */
    record RestoreChunk(String restoreId, long offset, byte[] data) implements Command {
    }

    /** Replaces the whole state with the staged snapshot, if it is complete and its SHA-256 matches. */
    record RestoreCommit(String restoreId, long length, byte[] sha256) implements Command {
    }

    /** Drops a staged snapshot whose upload failed. */
    record RestoreAbort(String restoreId) implements Command {
    }

    /**
     * A batch of writes a server forwarded to the leader, applied at most once: when the leader
     * dies with it in flight, the forwarding server proposes it again under the same id, and a
     * copy that had been committed after all answers with the first one's results
     * (see {@link AppliedForwards}).
     */
    record Forwarded(UUID origin, long seq, List<Command> commands) implements Command {
    }
}

package dev.cairn.store.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.CatalogState;
import dev.cairn.store.kv.Codec;
import dev.cairn.store.kv.KvState;
import dev.cairn.store.kv.TxnResult;
import dev.cairn.store.session.SessionState;

import java.io.BufferedInputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Everything a server knows, in plain Java, changed only by {@link #apply} in Raft log order.
 * Unit-testable without Raft: tests call apply with made-up indexes.
 */
public final class StoreState {

    /**
     * 1: KV and catalog; 2: sessions appended after the catalog; 3: a staged restore appended
     * after the sessions; 4: the forwarded batches applied lately appended after that. All are
     * readable.
     */
    private static final int SNAPSHOT_FORMAT = 4;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KvState kv = new KvState();
    private final CatalogState catalog = new CatalogState();
    private final SessionState sessions = new SessionState(kv, catalog);
    private final RestoreStaging staging = new RestoreStaging();
    private final AppliedForwards forwards = new AppliedForwards();
    /**
     * Applies take it exclusively, snapshot writers shared: a backup is then a consistent cut
     * across tables (each table's own lock alone would let an apply land between two tables).
     */
    private final ReentrantReadWriteLock cut = new ReentrantReadWriteLock();
    private volatile long lastIndex;
    private volatile long lastTerm;
    private volatile ChangeListener listener = new ChangeListener() {
        @Override
        public void changed(java.util.Collection<String> watchKeys) {
        }

        @Override
        public void everythingChanged() {
        }
    };

    public StoreState() {
        kv.sessionValidator(sessions::exists);
    }

    public KvState kv() {
        return kv;
    }

    public SessionState sessions() {
        return sessions;
    }

    public CatalogState catalog() {
        return catalog;
    }

    /** The Raft index of the last applied entry: the highest index any table can report. */
    public long lastIndex() {
        return lastIndex;
    }

    public void listener(ChangeListener listener) {
        this.listener = listener;
    }

    /** Applies the commands of one Raft entry at {@code index}; results are in command order. */
    public List<Object> apply(List<Command> commands, long index) {
        Changes changes = new Changes();
        List<Object> results;
        cut.writeLock().lock();
        try {
            results = applyEach(commands, index, changes);
            lastIndex = Math.max(lastIndex, index);
        } finally {
            cut.writeLock().unlock();
        }
        if (changes.restored) {
            listener.everythingChanged();
        } else if (!changes.watchKeys.isEmpty()) {
            listener.changed(changes.watchKeys);
        }
        return results;
    }

    /** What an entry's commands changed, for the watchers once the entry is applied. */
    private static final class Changes {
        final List<String> watchKeys = new ArrayList<>();
        final List<String> kvKeys = new ArrayList<>();
        boolean restored;
    }

    private List<Object> applyEach(List<Command> commands, long index, Changes changes) {
        List<Object> results = new ArrayList<>(commands.size());
        for (Command c : commands) {
            results.add(applyOne(c, index, changes));
        }
        return results;
    }

    private Object applyOne(Command c, long index, Changes changes) {
        if (c instanceof Command.KvTxn txn) {
            changes.kvKeys.clear();
            TxnResult r = kv.apply(txn.ops(), index, changes.kvKeys);
            for (String k : changes.kvKeys) {
                changes.watchKeys.add(WatchKeys.kv(k));
            }
            return r;
        } else if (c instanceof Command.Catalog cat) {
            CatalogCommand.Result r = catalog.apply(cat.command(), index, changes.watchKeys);
            if (r.ok()) {
                // a node gone, or a check gone or critical, invalidates the sessions tied to it
                sessions.catalogChanged(cat.command(), index, changes.watchKeys);
            }
            return r;
        } else if (c instanceof Command.Session s) {
            return sessions.apply(s.command(), index, changes.watchKeys);
        } else if (c instanceof Command.RestoreChunk chunk) {
            return staging.chunk(chunk);
        } else if (c instanceof Command.RestoreAbort abort) {
            staging.abort(abort.restoreId());
            return RestoreResult.OK;
        } else if (c instanceof Command.RestoreCommit commit) {
            RestoreResult r = commitRestore(commit, index);
            changes.restored |= r.ok();
            return r;
        } else if (c instanceof Command.Forwarded f) {
            return forwards.once(f, () -> ForwardedResult.applied(applyEach(f.commands(), index, changes)));
        }
        throw new IllegalArgumentException("unknown command " + c.getClass().getName());
    }

    /**
     * Swaps in a completely staged snapshot. Its tables keep the indexes they were saved with, but
     * every table's index is raised to the commit's, so that no read reports an index below one a
     * client saw before the restore, and every parked query wakes.
     *
     * <p>The uploader decoded these very bytes before proposing them (the SHA-256 proves they are
     * the same), so decoding cannot fail here; if it somehow did, every replica would fail alike.
     */
    private RestoreResult commitRestore(Command.RestoreCommit c, long index) {
        String problem = staging.check(c);
        if (problem != null) {
            staging.abort(c.restoreId()); // drops it only if it is this restore's, not a newer one's
            return RestoreResult.refused(problem);
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(staging.open(), 1 << 16))) {
            int format = readFormat(in);
            in.readLong(); // the backup's own last index: indexes move forward only, to the commit's
            readTables(in, format);
            kv.raiseFloor(index);
            catalog.raiseFloor(index);
            sessions.raiseFloor(index);
            return RestoreResult.OK;
        } catch (IOException | RuntimeException e) {
            return RestoreResult.refused("the staged snapshot does not decode: " + e.getMessage());
        } finally {
            staging.clear();
        }
    }

    /** Marks an index as applied when its entry carried no commands (Raft configuration, no-ops). */
    public void advance(long index) {
        lastIndex = Math.max(lastIndex, index);
    }

    /** The Raft term of the last applied entry (informational: backups record it). */
    public long term() {
        return lastTerm;
    }

    public void term(long term) {
        lastTerm = Math.max(lastTerm, term);
    }

    /** How much a state holds, as a backup's meta.json and {@code snapshot inspect} report it. */
    public record Counts(long keys, long nodes, long services, long checks, long sessions) {
    }

    public Counts counts() {
        return new Counts(kv.size(), catalog.nodeCount(), catalog.serviceCount(), catalog.checkCount(),
                sessions.list().value().size());
    }

    /** What a backup holds besides the state itself: where in the log it was cut. */
    public record Exported(long index, long term, Counts counts) {
    }

    /**
     * The Raft snapshot: every table, plus a restore staged but not committed yet and the
     * forwarded batches applied lately.
     */
    public void writeTo(DataOutput out) throws IOException {
        cut.readLock().lock();
        try {
            writeTables(out);
            staging.writeTo(out);
            forwards.writeTo(out);
        } finally {
            cut.readLock().unlock();
        }
    }

    /**
     * A backup (state.bin): the same encoding as {@link #writeTo}, with nothing staged and no
     * forwarded batches (a restore keeps those of the cluster it goes into), cut between
     * two log entries (applies wait meanwhile, so write it somewhere fast, not to a slow client).
     */
    public Exported exportTo(DataOutput out) throws IOException {
        cut.readLock().lock();
        try {
            writeTables(out);
            new RestoreStaging().writeTo(out);
            new AppliedForwards().writeTo(out);
            return new Exported(lastIndex, lastTerm, counts());
        } finally {
            cut.readLock().unlock();
        }
    }

    private void writeTables(DataOutput out) throws IOException {
        out.writeInt(SNAPSHOT_FORMAT);
        out.writeLong(lastIndex);
        kv.writeTo(out);
        Codec.writeBytes(out, catalog.snapshot(JSON));
        Codec.writeBytes(out, sessions.snapshot(JSON));
    }

    public void readFrom(DataInput in) throws IOException {
        cut.writeLock().lock();
        try {
            int format = readFormat(in);
            lastIndex = in.readLong();
            readTables(in, format);
            if (format >= 3) {
                staging.readFrom(in);
            } else {
                staging.clear();
            }
            if (format >= 4) {
                forwards.readFrom(in);
            } else {
                forwards.clear();
            }
        } finally {
            cut.writeLock().unlock();
        }
        listener.everythingChanged();
    }

    private static int readFormat(DataInput in) throws IOException {
        int format = in.readInt();
        if (format < 1 || format > SNAPSHOT_FORMAT) {
            throw new IOException("unsupported snapshot format " + format);
        }
        return format;
    }

    private void readTables(DataInput in, int format) throws IOException {
        kv.readFrom(in);
        catalog.restore(JSON, Codec.readBytes(in));
        sessions.restore(JSON, format >= 2 ? Codec.readBytes(in) : new byte[0]);
    }

    /**
     * Decodes a backup's state.bin into a fresh state without touching this one: how a restore
     * checks a file before proposing it.
     */
    public static StoreState decode(DataInput in) throws IOException {
        StoreState fresh = new StoreState();
        fresh.readFrom(in);
        return fresh;
    }
}

package dev.cairn.store.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.catalog.CatalogState;
import dev.cairn.store.kv.Codec;
import dev.cairn.store.kv.KvState;
import dev.cairn.store.kv.TxnResult;
import dev.cairn.store.session.SessionState;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a server knows, in plain Java, changed only by {@link #apply} in Raft log order.
 * Unit-testable without Raft: tests call apply with made-up indexes.
 */
public final class StoreState {

    /** 1: KV and catalog; 2: sessions appended after the catalog. Both are readable. */
    private static final int SNAPSHOT_FORMAT = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KvState kv = new KvState();
    private final CatalogState catalog = new CatalogState();
    private final SessionState sessions = new SessionState(kv, catalog);
    private volatile long lastIndex;
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
        List<Object> results = new ArrayList<>(commands.size());
        List<String> changed = new ArrayList<>();
        List<String> changedKeys = new ArrayList<>();
        for (Command c : commands) {
            if (c instanceof Command.KvTxn txn) {
                changedKeys.clear();
                TxnResult r = kv.apply(txn.ops(), index, changedKeys);
                for (String k : changedKeys) {
                    changed.add(WatchKeys.kv(k));
                }
                results.add(r);
            } else if (c instanceof Command.Catalog cat) {
                CatalogCommand.Result r = catalog.apply(cat.command(), index, changed);
                if (r.ok()) {
                    // a node gone, or a check gone or critical, invalidates the sessions tied to it
                    sessions.catalogChanged(cat.command(), index, changed);
                }
                results.add(r);
            } else if (c instanceof Command.Session s) {
                results.add(sessions.apply(s.command(), index, changed));
            }
        }
        lastIndex = Math.max(lastIndex, index);
        if (!changed.isEmpty()) {
            listener.changed(changed);
        }
        return results;
    }

    /** Marks an index as applied when its entry carried no commands (Raft configuration, no-ops). */
    public void advance(long index) {
        lastIndex = Math.max(lastIndex, index);
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(SNAPSHOT_FORMAT);
        out.writeLong(lastIndex);
        kv.writeTo(out);
        Codec.writeBytes(out, catalog.snapshot(JSON));
        Codec.writeBytes(out, sessions.snapshot(JSON));
    }

    public void readFrom(DataInput in) throws IOException {
        int format = in.readInt();
        if (format != 1 && format != SNAPSHOT_FORMAT) {
            throw new IOException("unsupported snapshot format " + format);
        }
        lastIndex = in.readLong();
        kv.readFrom(in);
        catalog.restore(JSON, Codec.readBytes(in));
        sessions.restore(JSON, format >= 2 ? Codec.readBytes(in) : new byte[0]);
        listener.everythingChanged();
    }
}

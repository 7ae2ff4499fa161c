package dev.cairn.store.state;

import dev.cairn.store.catalog.CatalogCommand;
import dev.cairn.store.kv.KvOp;
import dev.cairn.store.session.SessionCommand;

import java.util.List;

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
}

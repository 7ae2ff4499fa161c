package dev.cairn.store.kv;

import java.util.List;

/**
 * The outcome of one transaction: either committed with the entries its operations returned, or
 * rolled back with the errors that caused it. {@code index} is the Raft index it was applied at.
 */
public record TxnResult(boolean committed, List<OpResult> results, List<TxnError> errors, long index) {

    /** An entry returned by the operation at {@code opIndex} (delete verbs return none). */
    public record OpResult(int opIndex, KvEntry entry) {
    }

    public record TxnError(int opIndex, String what) {
    }

    static TxnResult committed(List<OpResult> results, long index) {
        return new TxnResult(true, List.copyOf(results), List.of(), index);
    }

    static TxnResult rolledBack(List<TxnError> errors, long index) {
        return new TxnResult(false, List.of(), List.copyOf(errors), index);
    }
}

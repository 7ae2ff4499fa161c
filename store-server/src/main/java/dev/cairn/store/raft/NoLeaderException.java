package dev.cairn.store.raft;

/** A write or linearizable read could not be served because the cluster has no leader. */
public final class NoLeaderException extends RuntimeException {
    public NoLeaderException(String message) {
        super(message);
    }
}

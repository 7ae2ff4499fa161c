package dev.cairn.store.state;

/** One voting server of the Raft group: its id (the node name), host:raft-port, and whether it leads. */
public record ClusterServer(String id, String address, boolean leader) {
}

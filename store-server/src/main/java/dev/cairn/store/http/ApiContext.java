package dev.cairn.store.http;

import dev.cairn.store.state.Consensus;
import dev.cairn.store.state.StoreState;

/**
 * What every handler needs: the local state, Raft, the watch hub, and who this server is. Each
 * server is also the agent of its own catalog node ({@code nodeName} at {@code nodeAddress}).
 */
public record ApiContext(StoreState state, Consensus consensus, WatchHub hub, String datacenter,
                         String nodeName, String nodeId, String nodeAddress, long maxValueBytes) {
}

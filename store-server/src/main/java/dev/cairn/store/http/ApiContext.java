package dev.cairn.store.http;

import dev.cairn.store.state.Consensus;
import dev.cairn.store.state.StoreState;

/** What every handler needs: the local state, Raft, the watch hub, and who this server is. */
public record ApiContext(StoreState state, Consensus consensus, WatchHub hub, String datacenter,
                         String nodeName, long maxValueBytes) {
}

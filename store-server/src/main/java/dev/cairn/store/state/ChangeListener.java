package dev.cairn.store.state;

import java.util.Collection;

/** Told, after each applied Raft entry, which watch keys (see {@link WatchKeys}) changed. */
public interface ChangeListener {

    void changed(Collection<String> watchKeys);

    /** The whole state was replaced (a snapshot was installed): every query may have changed. */
    void everythingChanged();
}

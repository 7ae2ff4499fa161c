package dev.cairn.store.snapshot;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.cairn.store.state.StoreState;

/**
 * A backup's {@code meta.json}: where in the Raft log it was cut, when, and how much it holds.
 * {@code Format} tells a Cairn backup from a Consul one (Consul's archives have the same three
 * file names); {@code Version} is this archive layout's version, {@link #VERSION}.
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record SnapshotMeta(@JsonProperty("ID") String id, String format, int version, long index, long term,
                           String time, long size, Counts counts) {

    public static final String FORMAT = "cairn";
    public static final int VERSION = 1;

    /** What the state holds; checked against state.bin when a backup is verified. */
    @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
    public record Counts(long keys, long nodes, long services, long checks, long sessions) {

        static Counts of(StoreState.Counts c) {
            return new Counts(c.keys(), c.nodes(), c.services(), c.checks(), c.sessions());
        }
    }
}

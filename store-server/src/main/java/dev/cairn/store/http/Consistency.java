package dev.cairn.store.http;

/** Consul's read modes; the default is reported as {@code leader}. */
public enum Consistency {
    DEFAULT("leader"), STALE("stale"), CONSISTENT("consistent");

    private final String header;

    Consistency(String header) {
        this.header = header;
    }

    public String header() {
        return header;
    }
}

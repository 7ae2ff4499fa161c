package dev.cairn.store;

/** Configurations for servers started inside a test: HTTP on a free port, no Raft port, no DNS. */
public final class TestConfigs {

    private TestConfigs() {
    }

    /** A lone server; the test sets its data dir. */
    public static ServerConfig loopback(String node) {
        ServerConfig c = new ServerConfig();
        c.nodeName = node;
        c.httpPort = 0;
        c.raftPort = -1;
        c.dnsPort = -1;
        return c;
    }

    /** A lone {@code -dev} server: in memory, gone when closed. */
    public static ServerConfig dev(String node) {
        ServerConfig c = loopback(node);
        c.dev = true;
        return c;
    }
}

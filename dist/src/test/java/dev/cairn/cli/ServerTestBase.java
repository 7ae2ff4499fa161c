package dev.cairn.cli;

import dev.cairn.store.CairnServer;
import dev.cairn.store.ServerConfig;
import dev.cairn.store.kv.KvEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One throwaway in-process server per test class (dev mode, ephemeral HTTP port). Commands run
 * with CAIRN_HTTP_ADDR pointing at it, never at 127.0.0.1:8500 where a developer's server may be.
 * Each test gets its own key prefix, since the server is shared by the class.
 */
abstract class ServerTestBase {

    static CairnServer server;
    static String addr;

    /** A key prefix unique to the running test, ending in '/'. */
    String p;

    @BeforeAll
    static void startServer() throws IOException {
        ServerConfig c = new ServerConfig();
        c.dev = true;
        c.nodeName = "cli-test";
        c.httpPort = 0;
        c.raftPort = -1;
        c.dnsPort = -1;
        server = CairnServer.start(c);
        addr = "127.0.0.1:" + server.httpPort();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void prefix(TestInfo test) {
        p = test.getTestMethod().orElseThrow().getName() + "/";
    }

    static Map<String, String> env() {
        return Map.of("CAIRN_HTTP_ADDR", addr);
    }

    static Cli.Result cairn(String... args) {
        return Cli.run(env(), args);
    }

    static Cli.Result cairnWithStdin(byte[] stdin, String... args) {
        return Cli.run(env(), stdin, args);
    }

    /** The entry as the server's state holds it, bypassing the CLI and HTTP. */
    static Optional<KvEntry> stored(String key) {
        List<KvEntry> entries = server.state().kv().get(key).entries();
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0));
    }

    static List<KvEntry> storedUnder(String prefix) {
        return server.state().kv().list(prefix).entries();
    }

    /** A port with nothing listening (bound and released just now). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

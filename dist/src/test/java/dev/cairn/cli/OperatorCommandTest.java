package dev.cairn.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code cairn operator raft ...} against a lone server (a cluster of one); the commands on
 * several servers are exercised by the cluster integration tests.
 */
class OperatorCommandTest extends ServerTestBase {

    @Test
    void listPeersShowsTheLoneServerAsLeader() {
        Cli.Result r = cairn("operator", "raft", "list-peers");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().lines().toList()).hasSize(2);
        assertThat(r.out()).startsWith("Node").containsPattern("cli-test\\s+cli-test\\s+127\\.0\\.0\\.1:\\d+\\s+leader\\s+true\\s+3");
    }

    @Test
    void removingAnUnknownServerFailsNamingIt() {
        Cli.Result r = cairn("operator", "raft", "remove-peer", "-id", "nosuch");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("\"nosuch\" was not found in the Raft configuration");
    }

    @Test
    void removePeerNeedsExactlyOneOfIdOrAddress() {
        assertThat(cairn("operator", "raft", "remove-peer").exitCode()).isEqualTo(2);
        Cli.Result both = cairn("operator", "raft", "remove-peer", "-id", "a", "-address", "127.0.0.1:1");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.stderr()).contains("exactly one of -id or -address");
    }

    @Test
    void removingTheLastServerIsRefused() {
        Cli.Result r = cairn("operator", "raft", "remove-peer", "-id", "cli-test");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("cannot remove the last server");
        assertThat(cairn("operator", "raft", "list-peers").out()).contains("cli-test");
    }

    @Test
    void addingAnAddressWhereNoServerListensFailsNamingIt() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Cli.Result r = cairn("operator", "raft", "add-peer", "-address", "127.0.0.1:" + port);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("cannot add 127.0.0.1:" + port);
        assertThat(cairn("operator", "raft", "list-peers").out().lines().count()).isEqualTo(2);
    }
}

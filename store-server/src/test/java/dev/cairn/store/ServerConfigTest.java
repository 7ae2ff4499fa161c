package dev.cairn.store;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest {

    private static ServerConfig durable() {
        ServerConfig c = new ServerConfig();
        c.dataDir = Path.of("/tmp/cairn-config-test");
        return c;
    }

    @Test
    void bootstrapExpectOrJoinMakeAClusterMember() {
        ServerConfig c = durable();
        assertThat(c.clustered()).isFalse();
        c.bootstrapExpect = 1;
        assertThat(c.clustered()).as("-bootstrap-expect 1 is a lone server").isFalse();
        c.bootstrapExpect = 3;
        assertThat(c.clustered()).isTrue();
        c.validate();
        ServerConfig joining = durable();
        joining.join = List.of("127.0.0.1:8301");
        assertThat(joining.clustered()).isTrue();
        joining.validate();
    }

    @Test
    void aJoinAddressMustBeHostAndPort() {
        for (String bad : List.of("127.0.0.1", "127.0.0.1:", ":8300", "127.0.0.1:http", "127.0.0.1:70000")) {
            ServerConfig c = durable();
            c.join = List.of(bad);
            assertThatThrownBy(c::validate).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-join takes another server's host:raft-port").hasMessageContaining(bad);
        }
    }

    @Test
    void devAndBootstrapAreLoneServersOnly() {
        ServerConfig dev = new ServerConfig();
        dev.dev = true;
        dev.bootstrapExpect = 3;
        assertThatThrownBy(dev::validate).hasMessageContaining("-dev runs a lone in-memory server");
        ServerConfig boot = durable();
        boot.bootstrap = true;
        boot.join = List.of("127.0.0.1:8301");
        assertThatThrownBy(boot::validate).hasMessageContaining("-bootstrap starts a lone server");
    }

    @Test
    void aClusterMemberNeedsAKnownRaftPort() {
        ServerConfig c = durable();
        c.bootstrapExpect = 3;
        c.raftPort = -1;
        assertThatThrownBy(c::validate).hasMessageContaining("needs a -raft-port the others can reach");
    }
}

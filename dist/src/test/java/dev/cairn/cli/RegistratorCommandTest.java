package dev.cairn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code cairn registrator}'s flags and start-up errors, without Docker (the ITs run it for real). */
class RegistratorCommandTest {

    @TempDir
    Path dir;

    private Cli.Result registrator(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "registrator";
        System.arraycopy(args, 0, all, 1, args.length);
        return Cli.run(env, all);
    }

    private Cli.Result noDocker(String... args) {
        return registrator(Map.of("DOCKER_HOST", "unix://" + dir.resolve("none.sock")), args);
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertThat(noDocker("-deregister", "never")).satisfies(r -> {
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.stderr()).contains("-deregister must be \"always\" or \"on-success\", not \"never\"");
        });
        assertThat(noDocker("-ttl", "30").stderr())
                .contains("-ttl and -ttl-refresh must be specified together or not at all");
        assertThat(noDocker("-ttl", "10", "-ttl-refresh", "10").stderr()).contains("-ttl must be greater than -ttl-refresh");
        assertThat(noDocker("-retry-interval", "0").stderr()).contains("-retry-interval must be greater than 0");
        assertThat(noDocker("-resync", "-5").exitCode()).isEqualTo(2);
        assertThat(noDocker("-ip", "not an ip").stderr()).contains("Invalid -ip");
        assertThat(noDocker("-retry-attempts", "x").exitCode()).isEqualTo(2);
        assertThat(noDocker("etcd://127.0.0.1:2379").stderr()).contains("only consul://HOST:PORT is supported");
        assertThat(noDocker("-http-addr", "127.0.0.1:1", "consul://127.0.0.1:2").stderr())
                .contains("not both");
    }

    @Test
    void anUnreachableDockerIsOneLineNamingDockerHost() {
        Cli.Result r = noDocker("-http-addr", "127.0.0.1:1");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderr().strip()).startsWith("cairn: cannot reach Docker at unix://" + dir.resolve("none.sock")
                + " (DOCKER_HOST)").doesNotContain("\n");
    }

    @Test
    void helpListsRegistratorsFlags() {
        Cli.Result r = registrator(Map.of(), "-help");
        assertThat(r.exitCode()).isEqualTo(0);
        assertThat(r.out()).contains("-internal", "-explicit", "-cleanup", "-deregister", "-resync", "-retry-attempts",
                "-ttl-refresh", "DOCKER_HOST");
    }
}

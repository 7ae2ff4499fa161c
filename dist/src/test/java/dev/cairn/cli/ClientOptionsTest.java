package dev.cairn.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Where commands find the server: -http-addr, CAIRN_HTTP_ADDR, CONSUL_HTTP_ADDR, in that order. */
class ClientOptionsTest extends ServerTestBase {

    private static Cli.Result getWith(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "kv";
        all[1] = "get";
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(env, all);
    }

    @Test
    void cairnHttpAddrBeatsConsulHttpAddr() throws Exception {
        cairn("kv", "put", p + "k", "v");
        String dead = "127.0.0.1:" + closedPort();

        assertThat(getWith(Map.of("CAIRN_HTTP_ADDR", addr, "CONSUL_HTTP_ADDR", dead), p + "k").out()).isEqualTo("v\n");
        assertThat(getWith(Map.of("CONSUL_HTTP_ADDR", addr), p + "k").out()).isEqualTo("v\n");
        Cli.Result viaDead = getWith(Map.of("CAIRN_HTTP_ADDR", dead, "CONSUL_HTTP_ADDR", addr), p + "k");
        assertThat(viaDead.exitCode()).isEqualTo(1);
        assertThat(viaDead.stderr()).contains(dead);
    }

    @Test
    void theFlagBeatsTheEnvironmentAndMayCarryAScheme() throws Exception {
        cairn("kv", "put", p + "k", "v");
        String dead = "127.0.0.1:" + closedPort();
        Map<String, String> env = Map.of("CAIRN_HTTP_ADDR", dead, "CONSUL_HTTP_ADDR", dead);

        assertThat(getWith(env, "-http-addr", addr, p + "k").out()).isEqualTo("v\n");
        assertThat(getWith(env, "-http-addr=http://" + addr + "/", p + "k").out()).isEqualTo("v\n");
        assertThat(getWith(env, "--http-addr", "http://" + addr, p + "k").out()).isEqualTo("v\n");
    }

    @Test
    void anEmptyVariableCountsAsUnset() {
        cairn("kv", "put", p + "k", "v");

        assertThat(getWith(Map.of("CAIRN_HTTP_ADDR", "", "CONSUL_HTTP_ADDR", addr), p + "k").out()).isEqualTo("v\n");
    }

    @Test
    void unreachableServerIsOneLineAndExit1() throws Exception {
        int port = closedPort();

        Cli.Result get = getWith(Map.of(), "-http-addr", "127.0.0.1:" + port, p + "k");

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.stderr()).isEqualTo("cairn: cannot reach Cairn at http://127.0.0.1:" + port + ": connection refused\n");
        assertThat(get.stdout()).isEmpty();
    }

    @Test
    void withNothingSetTheDefaultAddressIsUsed() {
        Cli.Result put = Cli.run(Map.of(), "kv", "put", "-http-addr", "", p + "k", "v");

        // either a developer's server on 8500 answers, or nothing does: either way 127.0.0.1:8500 was asked
        assertThat(put.out() + put.stderr()).containsAnyOf("Success!", "cannot reach Cairn at http://127.0.0.1:8500");
    }

    @Test
    void badAddressesAndFlagsAreUsageErrors() {
        assertThat(getWith(Map.of(), "-http-addr", "ftp://" + addr, p + "k").exitCode()).isEqualTo(2);
        assertThat(getWith(Map.of(), "-http-addr", "unix:///tmp/consul.sock", p + "k").exitCode()).isEqualTo(2);

        Cli.Result bogus = cairn("kv", "get", "-bogus", p + "k");
        assertThat(bogus.exitCode()).isEqualTo(2);
        assertThat(bogus.stderr()).isEqualTo("cairn: Unknown option: '-bogus' (see: cairn kv get -help)\n");
        assertThat(cairn("kv", "put", "-flags", "x", p + "k", "v").exitCode()).isEqualTo(2);
        assertThat(cairn("kv", "get", p + "a", p + "b").exitCode()).isEqualTo(2);
        assertThat(cairn("kv").exitCode()).isEqualTo(2);
        assertThat(stored(p + "k")).isEmpty();
    }

    @Test
    void helpGoesToStdoutAndSucceeds() {
        Cli.Result help = cairn("kv", "put", "-help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: cairn kv put").contains("-http-addr").contains("-modify-index");
    }
}

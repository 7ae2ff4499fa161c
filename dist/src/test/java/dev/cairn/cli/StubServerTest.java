package dev.cairn.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** What the client sends and how it reports server errors, checked against a hand-written stub server. */
class StubServerTest {

    private HttpServer stub;
    private final List<String> tokens = new CopyOnWriteArrayList<>();
    private final List<String> uris = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String body = "true";

    @BeforeEach
    void start() throws IOException {
        stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/", ex -> {
            tokens.add(String.valueOf(ex.getRequestHeaders().getFirst("X-Consul-Token")));
            uris.add(ex.getRequestURI().getRawPath() + "?" + ex.getRequestURI().getRawQuery());
            ex.getRequestBody().readAllBytes();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        stub.start();
    }

    @AfterEach
    void stop() {
        stub.stop(0);
    }

    private Map<String, String> env(String... more) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("CAIRN_HTTP_ADDR", "127.0.0.1:" + stub.getAddress().getPort());
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    @Test
    void theTokenIsSentAsXConsulToken() {
        Cli.run(env(), "kv", "put", "-token", "flag-token", "k", "v");
        Cli.run(env("CONSUL_HTTP_TOKEN", "consul-env"), "kv", "put", "k", "v");
        Cli.run(env("CONSUL_HTTP_TOKEN", "consul-env", "CAIRN_HTTP_TOKEN", "cairn-env"), "kv", "put", "k", "v");
        Cli.run(env("CONSUL_HTTP_TOKEN", "consul-env"), "kv", "put", "--token=flag-wins", "k", "v");
        Cli.run(env(), "kv", "put", "k", "v");

        assertThat(tokens).containsExactly("flag-token", "consul-env", "cairn-env", "flag-wins", "null");
    }

    @Test
    void serverErrorsPrintTheServersMessage() {
        status = 413;
        body = "Value for key \"k\" is too large (600000 > 524288 bytes)\n";

        Cli.Result put = Cli.run(env(), "kv", "put", "k", "v");

        assertThat(put.exitCode()).isEqualTo(1);
        assertThat(put.stderr()).isEqualTo(
                "cairn: Unexpected response code: 413 (Value for key \"k\" is too large (600000 > 524288 bytes))\n");
    }

    @Test
    void keysAndQueryValuesArePercentEncoded() {
        body = "[]";

        Cli.run(env(), "kv", "get", "-keys", "-separator", "&", "a b/\u00e9?#");

        assertThat(uris).containsExactly("/v1/kv/a%20b/%C3%A9%3F%23?keys&separator=%26");
    }

    @Test
    void aRolledBackImportSaysWhy() {
        status = 409;
        body = "{\"Results\":null,\"Errors\":[{\"OpIndex\":0,\"What\":\"permission denied\"}]}";

        Cli.Result imported = Cli.run(env(), "kv", "import", "[{\"key\":\"a\",\"value\":\"\"}]");

        assertThat(imported.exitCode()).isEqualTo(1);
        assertThat(imported.stderr()).isEqualTo("Error! Failed writing data for keys a .. a: operation 0: permission denied\n");
        assertThat(imported.out()).isEmpty();
    }
}

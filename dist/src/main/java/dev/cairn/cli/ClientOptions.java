package dev.cairn.cli;

import dev.cairn.client.CairnClient;
import dev.cairn.client.KvClient;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Flags shared by every command that talks to a running server ({@code kv ...}, and later
 * catalog, lock, template): {@code -http-addr} and {@code -token}, with Consul's environment
 * fallbacks so existing Consul habits and scripts keep working. Use it as a picocli mixin:
 *
 * <pre>{@code @Mixin ClientOptions server;   ...   CairnClient http = server.client();}</pre>
 *
 * Picocli creates it through {@link Main}'s factory, which passes the command's {@link Io}.
 */
public final class ClientOptions {

    static final String DEFAULT_ADDR = "127.0.0.1:8500";

    private final Io io;

    @Option(names = {"-http-addr", "--http-addr"}, paramLabel = "ADDR",
            description = "Server HTTP address, host:port or http(s)://host:port "
                    + "(default: $CAIRN_HTTP_ADDR, else $CONSUL_HTTP_ADDR, else " + DEFAULT_ADDR + ").")
    String httpAddr;

    @Option(names = {"-token", "--token"}, paramLabel = "TOKEN",
            description = "ACL token sent as X-Consul-Token (default: $CAIRN_HTTP_TOKEN, else $CONSUL_HTTP_TOKEN).")
    String token;

    ClientOptions(Io io) {
        this.io = io;
    }

    /** The server's base URL: the flag, else CAIRN_HTTP_ADDR, else CONSUL_HTTP_ADDR, else the default. */
    public URI address() {
        String addr = httpAddr != null && !httpAddr.isBlank() ? httpAddr.strip() : null;
        String from = "-http-addr";
        if (addr == null && (addr = io.getenv("CAIRN_HTTP_ADDR")) != null) {
            from = "CAIRN_HTTP_ADDR";
        }
        if (addr == null && (addr = io.getenv("CONSUL_HTTP_ADDR")) != null) {
            from = "CONSUL_HTTP_ADDR";
        }
        if (addr == null) {
            addr = DEFAULT_ADDR;
        }
        return parseAddress(addr.strip(), from);
    }

    public String token() {
        if (token != null && !token.isEmpty()) {
            return token;
        }
        String t = io.getenv("CAIRN_HTTP_TOKEN");
        return t != null ? t : io.getenv("CONSUL_HTTP_TOKEN");
    }

    public CairnClient client() {
        return new CairnClient(address(), token());
    }

    public KvClient kv() {
        return new KvClient(client());
    }

    /** As Consul's Go client: no scheme means http; a trailing slash is dropped. */
    static URI parseAddress(String addr, String from) {
        String s = addr;
        if (s.startsWith("unix://")) {
            throw new UsageException(from + " " + addr + ": unix sockets are not supported");
        }
        if (!s.contains("://")) {
            s = "http://" + s;
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new UsageException(from + " \"" + addr + "\" is not an address: " + e.getReason());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new UsageException(from + " \"" + addr + "\": scheme must be http or https");
        }
        if (uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null) {
            throw new UsageException(from + " \"" + addr + "\" is not an address: expected host:port");
        }
        return uri;
    }
}

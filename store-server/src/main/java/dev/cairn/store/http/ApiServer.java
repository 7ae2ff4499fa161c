package dev.cairn.store.http;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The HTTP API listener (Undertow). Routes on the percent-decoded path, so {@code /v1/kv/a%2Fb}
 * reaches key {@code a/b} as Consul does (kiwi and Spring Cloud Consul 5 encode slashes).
 * Methods are checked per route: anything else gets 405 with an Allow header, as Consul ≥ 1.0.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final List<Route> exactAndPrefix = new ArrayList<>();
    private Undertow undertow;
    private int port;

    public ApiServer add(Route route) {
        exactAndPrefix.add(route);
        return this;
    }

    public ApiServer addAll(List<Route> routes) {
        routes.forEach(this::add);
        return this;
    }

    public void start(String host, int port) {
        undertow = Undertow.builder()
                .addHttpListener(port, host)
                .setServerOption(UndertowOptions.ALLOW_ENCODED_SLASH, true)
                .setServerOption(UndertowOptions.DECODE_URL, true)
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 16L << 20)
                // parked blocking queries are idle by design: never time them out server-side
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, -1)
                .setHandler(this::handle)
                .build();
        undertow.start();
        this.port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        LOG.info("HTTP API listening on {}:{}", host, this.port);
    }

    public int port() {
        return port;
    }

    private void handle(HttpServerExchange ex) {
        ex.getResponseHeaders().put(Responses.X_CONSUL_ACL_POLICY, "allow");
        String path = ex.getRequestPath();
        Route match = null;
        String rest = "";
        for (Route r : exactAndPrefix) {
            if (r.prefix() ? path.startsWith(r.path()) : path.equals(r.path())) {
                if (match == null || r.path().length() > match.path().length()) {
                    match = r;
                    rest = r.prefix() ? path.substring(r.path().length()) : "";
                }
            }
        }
        if (match == null) {
            Responses.sendText(ex, 404, "Not found: " + path);
            return;
        }
        if (!match.allows(ex.getRequestMethod())) {
            TreeSet<String> allow = new TreeSet<>(match.methods());
            allow.add("OPTIONS");
            ex.getResponseHeaders().put(Headers.ALLOW, String.join(",", allow));
            Responses.sendText(ex, 405, "method " + ex.getRequestMethod() + " not allowed");
            return;
        }
        try {
            match.handler().handle(ex, rest);
        } catch (ApiException e) {
            Responses.sendText(ex, e.status(), e.getMessage());
        } catch (RequestTooBigException e) {
            Responses.sendText(ex, 413, "Request body too large: " + e.getMessage());
        } catch (Exception e) {
            LOG.error("{} {} failed", ex.getRequestMethod(), path, e);
            Responses.sendText(ex, 500, e.toString());
        }
    }

    @Override
    public void close() {
        if (undertow != null) {
            undertow.stop();
        }
    }
}

package dev.cairn.store.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

import java.util.Set;

/**
 * One API route: a path (exact, or a prefix when it ends in '/') with the methods it accepts.
 * The handler receives the rest of the decoded path after a prefix (a key, a service name...).
 */
public record Route(String path, Set<String> methods, Handler handler) {

    @FunctionalInterface
    public interface Handler {
        void handle(HttpServerExchange ex, String rest) throws Exception;
    }

    public boolean prefix() {
        return path.endsWith("/");
    }

    public boolean allows(HttpString method) {
        return methods.contains(method.toString());
    }

    public static Route get(String path, Handler h) {
        return new Route(path, Set.of("GET"), h);
    }

    public static Route put(String path, Handler h) {
        return new Route(path, Set.of("PUT"), h);
    }
}

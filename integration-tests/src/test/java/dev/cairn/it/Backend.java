package dev.cairn.it;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A tiny web backend on 127.0.0.1 that answers every request with its own name. */
final class Backend implements AutoCloseable {

    private final String name;
    private final HttpServer server;

    Backend(String name) {
        this.name = name;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    String name() {
        return name;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The body of an agent service registration for this backend as an instance of {@code service}. */
    String registration(String service, String... tags) {
        StringBuilder t = new StringBuilder();
        for (String tag : tags) {
            t.append(t.length() == 0 ? "" : ",").append('"').append(tag).append('"');
        }
        return "{\"ID\":\"" + name + "\",\"Name\":\"" + service + "\",\"Address\":\"127.0.0.1\",\"Port\":" + port()
                + ",\"Tags\":[" + t + "]}";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

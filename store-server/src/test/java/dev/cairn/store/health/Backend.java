package dev.cairn.store.health;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** A tiny HTTP service for checks to probe: answers every path with a settable status and body. */
final class Backend implements AutoCloseable {

    private final HttpServer server;
    final AtomicInteger hits = new AtomicInteger();
    volatile int status = 200;
    volatile String body = "ok";
    /** The last request as "METHOD path X-Token=value User-Agent=value body". */
    volatile String lastRequest;

    private Backend(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", ex -> {
            hits.incrementAndGet();
            String in = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            lastRequest = ex.getRequestMethod() + " " + ex.getRequestURI() + " X-Token="
                    + ex.getRequestHeaders().getFirst("X-Token") + " User-Agent="
                    + ex.getRequestHeaders().getFirst("User-Agent") + " " + in;
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
    }

    /** On a free port (0), or again on the port of one stopped earlier. */
    static Backend start(int port) throws IOException {
        return new Backend(port);
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package dev.cairn.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A unix-socket relay in front of the Docker engine's socket that a test can cut: {@link #cut()}
 * drops every connection (the registrator's event stream breaks, as when dockerd restarts) and
 * refuses new ones until {@link #resume()}. The engine itself, shared with others, is never touched.
 */
final class DockerSocketProxy implements AutoCloseable {

    private final Path socket;
    private final Path target;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocketChannel server;

    DockerSocketProxy(Path socket, Path target) {
        this.socket = socket;
        this.target = target;
        resume();
    }

    String dockerHost() {
        return "unix://" + socket;
    }

    synchronized void resume() {
        try {
            Files.deleteIfExists(socket);
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            s.bind(UnixDomainSocketAddress.of(socket));
            server = s;
            Thread t = new Thread(() -> accept(s), "docker-proxy-accept");
            t.setDaemon(true);
            t.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void cut() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        open.forEach(DockerSocketProxy::closeQuietly);
        open.clear();
    }

    private void accept(ServerSocketChannel s) {
        while (s.isOpen()) {
            try {
                SocketChannel client = s.accept();
                SocketChannel engine = SocketChannel.open(UnixDomainSocketAddress.of(target));
                open.add(client);
                open.add(engine);
                pump(client, engine);
                pump(engine, client);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
            } catch (IOException e) {
                // cut, or the other side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "docker-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        cut();
    }
}

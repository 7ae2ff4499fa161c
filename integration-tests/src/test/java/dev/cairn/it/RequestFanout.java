package dev.cairn.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many concurrent HTTP/1.1 GETs from one thread: each request gets its own connection, written
 * as raw bytes and read back with a {@link Selector}, so ten thousand parked blocking queries need
 * ten thousand sockets but not ten thousand client threads. Each connection carries one request;
 * all are closed together by {@link #close()} (with a reset, leaving no TIME_WAIT behind).
 */
final class RequestFanout implements AutoCloseable {

    /** One response: status, X-Consul-Index, body and when it arrived. */
    record Answer(int status, long index, String body, long nanos) {
    }

    private static final int MAX_CONNECTING = 200;

    private final InetSocketAddress server;
    private final List<String> paths;
    private final Conn[] conns;
    private final Selector selector;
    private final Thread loop;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    private static final class Conn {
        final int id;
        final ByteBuffer out;
        final ByteArrayOutputStream in = new ByteArrayOutputStream(512);
        SocketChannel channel;
        volatile Answer answer;

        Conn(int id, ByteBuffer out) {
            this.id = id;
            this.out = out;
        }
    }

    /** Starts connecting and sending at once; {@code paths} are sent as written. */
    RequestFanout(int port, List<String> paths) throws IOException {
        this.server = new InetSocketAddress("127.0.0.1", port);
        this.paths = List.copyOf(paths);
        this.conns = new Conn[paths.size()];
        for (int i = 0; i < conns.length; i++) {
            String request = "GET " + paths.get(i) + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nUser-Agent: cairn-it\r\nAccept: */*\r\n\r\n";
            conns[i] = new Conn(i, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        }
        this.selector = Selector.open();
        this.loop = new Thread(this::run, "request-fanout");
        loop.setDaemon(true);
        loop.start();
    }

    int size() {
        return conns.length;
    }

    /** Requests written completely to their sockets. */
    int sent() {
        return sent.get();
    }

    /** Complete responses received. */
    int answered() {
        return answered.get();
    }

    List<String> failures() {
        return new ArrayList<>(failures);
    }

    String path(int i) {
        return paths.get(i);
    }

    /** The answer to request {@code i}, or null while it is pending. */
    Answer answer(int i) {
        return conns[i].answer;
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        int next = 0;
        int connecting = 0;
        try {
            while (!closed && answered.get() + failures.size() < conns.length) {
                while (next < conns.length && connecting < MAX_CONNECTING) {
                    if (open(conns[next++])) {
                        connecting++;
                    }
                }
                selector.select(100);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Conn c = (Conn) key.attachment();
                    try {
                        if (key.isValid() && key.isConnectable()) {
                            c.channel.finishConnect();
                            key.interestOps(SelectionKey.OP_WRITE);
                        }
                        if (key.isValid() && key.isWritable()) {
                            c.channel.write(c.out);
                            if (!c.out.hasRemaining()) {
                                key.interestOps(SelectionKey.OP_READ);
                                sent.incrementAndGet();
                                connecting--;
                            }
                        }
                        if (key.isValid() && key.isReadable()) {
                            read(c, key, buffer);
                        }
                    } catch (IOException | RuntimeException e) {
                        if (c.out.hasRemaining()) {
                            connecting--;
                        }
                        fail(c, key, e.toString());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            failures.add("selector loop: " + e);
        }
    }

    private boolean open(Conn c) {
        try {
            c.channel = SocketChannel.open();
            c.channel.configureBlocking(false);
            c.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            int ops = c.channel.connect(server) ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT;
            c.channel.register(selector, ops, c);
            return true;
        } catch (IOException e) {
            failures.add("request " + c.id + ": connect: " + e);
            return false;
        }
    }

    private void read(Conn c, SelectionKey key, ByteBuffer buffer) throws IOException {
        buffer.clear();
        int n = c.channel.read(buffer);
        if (n < 0) {
            fail(c, key, "connection closed before a complete response (" + c.in.size() + " bytes read)");
            return;
        }
        buffer.flip();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        c.in.write(bytes);
        Answer a = parse(c.in.toByteArray());
        if (a != null) {
            c.answer = a;
            answered.incrementAndGet();
            // keep the connection until close(): closing 10,000 sockets one by one while the
            // server still answers the others would make it spend the wake-up closing connections
            key.interestOps(0);
        }
    }

    /** A complete response (status line, headers, Content-Length body), or null if more is needed. */
    private static Answer parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        long index = -1;
        int length = 0;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = Integer.parseInt(value);
            } else if (name.equals("x-consul-index")) {
                index = Long.parseUnsignedLong(value);
            } else if (name.equals("transfer-encoding")) {
                throw new IllegalStateException("chunked responses are not expected here: " + lines[i]);
            }
        }
        if (raw.length < end + 4 + length) {
            return null;
        }
        String body = new String(raw, end + 4, length, StandardCharsets.UTF_8);
        return new Answer(status, index, body, System.nanoTime());
    }

    private void fail(Conn c, SelectionKey key, String why) {
        failures.add("request " + c.id + " " + paths.get(c.id) + ": " + why);
        key.cancel();
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        selector.wakeup();
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Conn c : conns) {
            if (c.channel != null && c.channel.isOpen()) {
                c.channel.close();
            }
        }
        selector.close();
    }
}

package dev.cairn.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Many blocking queries parked on one key, and one write that wakes them all: how long from
 * sending the write until the last parked query has its whole answer.
 *
 * <p>One thread and one {@link Selector} drive every connection (keep-alive HTTP/1.1, reused
 * from one repetition to the next), so the client needs no thread per query. Before the write
 * goes out we wait until the server has accepted every connection and read every request: the
 * server side of each connection shows an empty receive queue in /proc/net/tcp{,6}. Otherwise the
 * figure would include the server's backlog of unread requests rather than the wake-up.
 */
final class ParkedQueries implements AutoCloseable {

    /** One repetition: write sent to last watcher answered, and to the write's own answer. */
    record Round(double wakeAllMs, double putMs, int answered, int failed, int early) {
    }

    private static final int MAX_PENDING_CONNECTS = 500;

    private static final class Conn {
        final SocketChannel channel;
        ByteBuffer out;
        byte[] in = new byte[512];
        int inLength;
        boolean done;
        int status;
        long index;
        long doneAt;

        Conn(SocketChannel channel) {
            this.channel = channel;
        }

        void expect(ByteBuffer request) {
            out = request;
            inLength = 0;
            done = false;
            status = 0;
            index = -1;
        }
    }

    private final InetSocketAddress server;
    private final Selector selector;
    private final List<Conn> watchers = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(1 << 16);
    private Conn writer;

    ParkedQueries(InetSocketAddress server) throws IOException {
        this.server = server;
        this.selector = Selector.open();
    }

    /** Opens {@code count} watcher connections and one for the write, at most 500 connecting at once. */
    void connect(int count, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int opened = 0;
        int pending = 0;
        int connected = 0;
        while (connected < count + 1) {
            while (opened < count + 1 && pending < MAX_PENDING_CONNECTS) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Conn c = new Conn(ch);
                ch.register(selector, SelectionKey.OP_CONNECT, c);
                if (ch.connect(server)) {
                    ch.keyFor(selector).interestOps(0);
                    connected++;
                } else {
                    pending++;
                }
                if (opened == 0) {
                    writer = c;
                } else {
                    watchers.add(c);
                }
                opened++;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + connected + " of " + (count + 1) + " connections after " + timeout);
            }
            selector.select(100);
            for (SelectionKey key : selector.selectedKeys()) {
                if (key.isConnectable() && ((SocketChannel) key.channel()).finishConnect()) {
                    key.interestOps(0);
                    connected++;
                    pending--;
                }
            }
            selector.selectedKeys().clear();
        }
    }

    /**
     * Parks a blocking query for {@code key} at {@code index} on every watcher connection, then
     * writes {@code value} to the key and times the wake-up.
     */
    Round round(String key, long index, byte[] value, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] get = ("GET /v1/kv/" + key + "?index=" + index + "&wait=60s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        for (Conn c : watchers) {
            c.expect(ByteBuffer.wrap(get));
            send(c);
        }
        int early = awaitParked(deadline);

        byte[] head = ("PUT /v1/kv/" + key + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + value.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer put = ByteBuffer.allocate(head.length + value.length).put(head).put(value).flip();
        writer.expect(put);
        long start = System.nanoTime();
        send(writer);
        int remaining = (int) watchers.stream().filter(c -> !c.done).count();
        while ((remaining > 0 || !writer.done) && System.nanoTime() < deadline) {
            remaining -= poll(10);
        }
        if (remaining > 0 || !writer.done) {
            throw new IllegalStateException(remaining + " parked queries still unanswered after " + timeout);
        }
        long last = watchers.stream().mapToLong(c -> c.doneAt).max().orElse(start);
        int failed = (int) watchers.stream().filter(c -> c.status != 200 || c.index <= index).count();
        if (writer.status != 200) {
            throw new IllegalStateException("the write got HTTP " + writer.status);
        }
        return new Round((last - start) / 1e6, (writer.doneAt - start) / 1e6, watchers.size(), failed, early);
    }

    /**
     * Waits until the server has accepted every connection and drained every request (two polls
     * in a row, 200 ms apart). Returns how many watchers were answered meanwhile: they were not
     * parked, which a correct run never shows.
     */
    private int awaitParked(long deadline) throws IOException, InterruptedException {
        int port = server.getPort();
        int early = 0;
        int quiet = 0;
        while (quiet < 2) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server did not read all " + watchers.size() + " queries in time");
            }
            early += poll(200);
            long[] seen = serverSideQueues(port);
            quiet = seen[0] >= watchers.size() + 1 && seen[1] == 0 ? quiet + 1 : 0;
        }
        return early;
    }

    /** {established connections, bytes unread} on the server side of {@code port}, from /proc. */
    static long[] serverSideQueues(int port) throws IOException {
        long established = 0;
        long unread = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p);
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                String local = f[1];
                int localPort = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
                if (localPort == port && f[3].equals("01")) {
                    established++;
                    unread += Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
                }
            }
        }
        return new long[] {established, unread};
    }

    private void send(Conn c) throws IOException {
        c.channel.write(c.out);
        c.channel.keyFor(selector).interestOps(c.out.hasRemaining()
                ? SelectionKey.OP_WRITE | SelectionKey.OP_READ : SelectionKey.OP_READ);
    }

    /** Serves ready channels once; returns how many watcher answers were completed. */
    private int poll(long timeoutMillis) throws IOException {
        int completed = 0;
        selector.select(timeoutMillis);
        for (SelectionKey key : selector.selectedKeys()) {
            Conn c = (Conn) key.attachment();
            if (key.isValid() && key.isWritable()) {
                send(c);
            }
            if (key.isValid() && key.isReadable()) {
                readBuffer.clear();
                int n = c.channel.read(readBuffer);
                if (n < 0) {
                    throw new IllegalStateException("the server closed a connection");
                }
                readBuffer.flip();
                if (c.inLength + n > c.in.length) {
                    c.in = Arrays.copyOf(c.in, Math.max(c.in.length * 2, c.inLength + n));
                }
                readBuffer.get(c.in, c.inLength, n);
                c.inLength += n;
                if (!c.done && parse(c)) {
                    c.done = true;
                    c.doneAt = System.nanoTime();
                    if (c != writer) {
                        completed++;
                    }
                }
            }
        }
        selector.selectedKeys().clear();
        return completed;
    }

    /** True once {@code c} holds a whole response; records its status and X-Consul-Index. */
    private static boolean parse(Conn c) {
        String text = new String(c.in, 0, c.inLength, StandardCharsets.ISO_8859_1);
        int headerEnd = text.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            return false;
        }
        long length = 0;
        String[] lines = text.substring(0, headerEnd).split("\r\n");
        c.status = Integer.parseInt(lines[0].split(" ")[1]);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).trim();
            String value = lines[i].substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("X-Consul-Index")) {
                c.index = Long.parseLong(value);
            }
        }
        return c.inLength >= headerEnd + 4 + length;
    }

    @Override
    public void close() throws IOException {
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
    }
}

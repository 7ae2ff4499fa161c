package dev.cairn.store.http;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.conduits.ConduitStreamSourceChannel;

import java.io.IOException;

/**
 * Notices a client hanging up on a parked request. Undertow reads nothing from a connection while
 * one of its requests is being answered, so a blocking query whose client went away (a restarted
 * consul-template, say) would stay parked, and counted, until its wait ran out. Reading from the
 * connection meanwhile tells: end of stream or an error means the client is gone, and the
 * connection is closed (its close listeners release the query); bytes are the client's next
 * request, sent early, and are handed back to Undertow untouched.
 */
final class Hangups {

    private final HttpServerConnection connection;
    private final ConduitStreamSourceChannel source;
    private final ChannelListener<ConduitStreamSourceChannel> listener = this::onReadable;

    private Hangups(HttpServerConnection connection) {
        this.connection = connection;
        this.source = connection.getChannel().getSourceChannel();
    }

    /**
     * Starts watching the exchange's connection; call on its I/O thread. Returns null when it
     * cannot be watched: not HTTP/1 (HTTP/2 streams are not parked connections), a request body
     * still to be read, or bytes of a next request already read by Undertow.
     */
    static Hangups watch(HttpServerExchange ex) {
        if (!(ex.getConnection() instanceof HttpServerConnection c) || !ex.isRequestComplete()
                || c.getExtraBytes() != null) {
            return null;
        }
        Hangups h = new Hangups(c);
        h.source.getReadSetter().set(h.listener);
        h.source.resumeReads();
        return h;
    }

    /** Stops watching before the answer goes out, so Undertow alone reads the connection again. */
    void stop() {
        if (source.getReadListener() == listener) {
            source.suspendReads();
            source.getReadSetter().set(null);
        }
    }

    private void onReadable(ConduitStreamSourceChannel channel) {
        PooledByteBuffer pooled = connection.getByteBufferPool().allocate();
        boolean handedBack = false;
        try {
            int read = channel.read(pooled.getBuffer());
            if (read == 0) {
                return;
            }
            stop();
            if (read < 0) {
                IoUtils.safeClose(connection);
                return;
            }
            pooled.getBuffer().flip();
            connection.ungetRequestBytes(pooled);
            handedBack = true;
        } catch (IOException e) {
            IoUtils.safeClose(connection);
        } finally {
            if (!handedBack) {
                pooled.close();
            }
        }
    }
}

package dev.cairn.store.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.SameThreadExecutor;
import org.xnio.XnioExecutor;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Answers a read, blocking as Consul does when {@code ?index=N} is given: the request is parked
 * until what it read has an index above N, or until {@code wait} (plus up to wait/16 of jitter)
 * runs out, and then answered with whatever is current.
 *
 * <p>Parking holds no thread: the exchange is dispatched (so Undertow does not end it), a
 * {@link WatchHub} registration wakes it, and the timeout is a timer on the connection's I/O
 * thread. All work on one exchange runs on that I/O thread, so the exchange is never touched by
 * two threads at once.
 *
 * <p>Order matters: register first, then evaluate. A write that lands between the two is then
 * either seen by the evaluation or fires the registration, never lost.
 */
public final class BlockingQuery {

    /** The result of evaluating a read: its index and how to write it. */
    public record Answer(long index, java.util.function.Consumer<HttpServerExchange> writer) {
    }

    /**
     * The queries parked on a connection, released together when it closes. One close listener per
     * connection, not one per query: Undertow keeps a connection's close listeners until it
     * closes, and a keep-alive client (consul-template, Cairn's daemon) asks query after query on
     * one connection for months.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final AttachmentKey<Set<BlockingQuery>> PARKED = (AttachmentKey) AttachmentKey.create(Set.class);

    private final HttpServerExchange ex;
    private final ApiContext ctx;
    private final QueryOptions options;
    private final WatchHub.Spec spec;
    private final Supplier<Answer> query;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile WatchHub.Registration registration;
    private volatile XnioExecutor.Key timer;
    private volatile Hangups hangups;
    private volatile boolean counted;

    private BlockingQuery(HttpServerExchange ex, ApiContext ctx, QueryOptions options, WatchHub.Spec spec,
                          Supplier<Answer> query) {
        this.ex = ex;
        this.ctx = ctx;
        this.options = options;
        this.spec = spec;
        this.query = query;
    }

    /**
     * Serves a read. Must be called from a handler; returns at once and answers later, after the
     * read barrier the consistency mode requires and, for a blocking query, after the wait.
     */
    public static void serve(HttpServerExchange ex, ApiContext ctx, QueryOptions options, WatchHub.Spec spec,
                             Supplier<Answer> query) {
        BlockingQuery q = new BlockingQuery(ex, ctx, options, spec, query);
        ex.dispatch(SameThreadExecutor.INSTANCE, q::start);
    }

    private void start() {
        if (options.consistency() == Consistency.STALE) {
            begin();
            return;
        }
        ctx.consensus().readBarrier().whenComplete((ok, error) -> onIoThread(() -> {
            if (error != null) {
                fail(error);
            } else {
                begin();
            }
        }));
    }

    private void begin() {
        if (!options.blocking()) {
            Answer a;
            try {
                a = query.get();
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            respond(a);
            return;
        }
        long waitMillis = options.waitTime().toMillis();
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, waitMillis / 16));
        counted = true;
        ctx.hub().parked(1);
        timer = ex.getIoThread().executeAfter(this::timeout, waitMillis + jitter, TimeUnit.MILLISECONDS);
        parkedOn(ex.getConnection()).add(this);
        hangups = Hangups.watch(ex);
        check();
    }

    /** Called on the connection's I/O thread, as its close listeners are. */
    private static Set<BlockingQuery> parkedOn(ServerConnection connection) {
        Set<BlockingQuery> parked = connection.getAttachment(PARKED);
        if (parked == null) {
            Set<BlockingQuery> created = ConcurrentHashMap.newKeySet();
            connection.putAttachment(PARKED, created);
            connection.addCloseListener(c -> List.copyOf(created).forEach(BlockingQuery::finish));
            parked = created;
        }
        return parked;
    }

    /** Registers for changes, then evaluates; answers if the index moved past the client's. */
    private void check() {
        if (answered.get()) {
            return;
        }
        registration = ctx.hub().register(spec, () -> onIoThread(this::check));
        Answer a;
        try {
            a = query.get();
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        if (Long.compareUnsigned(a.index(), options.index()) > 0) {
            respond(a);
        }
    }

    private void timeout() {
        if (!answered.get()) {
            try {
                respond(query.get());
            } catch (RuntimeException e) {
                fail(e);
            }
        }
    }

    private void respond(Answer a) {
        if (!finish()) {
            return;
        }
        try {
            Responses.setQueryMeta(ex, ctx, a.index(), options.consistency());
            a.writer().accept(ex);
        } catch (ApiException e) {
            Responses.sendText(ex, e.status(), e.getMessage());
        } catch (RuntimeException e) {
            Responses.sendText(ex, 500, e.toString());
        }
    }

    private void fail(Throwable error) {
        if (!finish()) {
            return;
        }
        Throwable cause = error.getCause() != null && error instanceof java.util.concurrent.CompletionException
                ? error.getCause() : error;
        if (cause instanceof ApiException api) {
            Responses.sendText(ex, api.status(), api.getMessage());
        } else {
            Responses.sendText(ex, 500, Async.describe(cause));
        }
    }

    /** Marks the query answered and drops its timer and registration; false if already answered. */
    private boolean finish() {
        if (!answered.compareAndSet(false, true)) {
            return false;
        }
        if (counted) {
            ctx.hub().parked(-1);
            Set<BlockingQuery> parked = ex.getConnection().getAttachment(PARKED);
            if (parked != null) {
                parked.remove(this);
            }
        }
        WatchHub.Registration r = registration;
        if (r != null) {
            r.cancel();
        }
        XnioExecutor.Key t = timer;
        if (t != null) {
            t.remove();
        }
        Hangups h = hangups;
        if (h != null) {
            h.stop();
        }
        return true;
    }

    private void onIoThread(Runnable task) {
        if (Thread.currentThread() == ex.getIoThread()) {
            task.run();
        } else {
            ex.getIoThread().execute(task);
        }
    }
}

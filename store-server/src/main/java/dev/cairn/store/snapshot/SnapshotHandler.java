package dev.cairn.store.snapshot;

import dev.cairn.store.http.ApiContext;
import dev.cairn.store.http.ApiException;
import dev.cairn.store.http.Consistency;
import dev.cairn.store.http.QueryOptions;
import dev.cairn.store.http.Responses;
import dev.cairn.store.http.Route;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.protocol.http.HttpContinue;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * {@code GET /v1/snapshot} answers a backup of the whole state ({@link SnapshotArchive});
 * {@code PUT /v1/snapshot} restores one: it is verified in full first (a bad file gets a 400
 * naming the problem, and nothing is proposed), then proposed through Raft ({@link Restorer}).
 * Both work on temp files, not in memory, and on a worker thread: a backup may be hundreds of MB.
 */
public final class SnapshotHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotHandler.class);
    /** Far above any store this server can hold in memory; only there to bound the temp file. */
    static final long MAX_UPLOAD_BYTES = 8L << 30;

    private final ApiContext ctx;
    /** Where saves and restores keep their temp files: a backup is as large as the store. */
    private final Path workDir;
    private final AtomicBoolean restoring = new AtomicBoolean();

    /**
     * {@code workDir} is the server's own ({@code DATA_DIR/tmp}), not {@code java.io.tmpdir}: /tmp
     * is often a small tmpfs, and the data dir is where the operator made room for the store. What
     * a crash left there (a restore cut short) is deleted here, before anything else uses it.
     */
    public SnapshotHandler(ApiContext ctx, Path workDir) throws IOException {
        this.ctx = ctx;
        this.workDir = workDir;
        if (Files.isDirectory(workDir)) {
            try (Stream<Path> left = Files.list(workDir)) {
                left.forEach(SnapshotHandler::deleteTree);
            }
        }
        Files.createDirectories(workDir);
    }

    public List<Route> routes() {
        return List.of(new Route("/v1/snapshot", Set.of("GET", "PUT"), (ex, rest) -> {
            if (ex.getRequestMethod().toString().equals("GET")) {
                QueryOptions options = QueryOptions.parse(ex, ctx.datacenter());
                ex.dispatch(() -> save(ex, options.consistency()));
            } else {
                QueryOptions.checkDatacenter(ex.getQueryParameters(), ctx.datacenter());
                checkLength(ex);
                if (!restoring.compareAndSet(false, true)) {
                    throw new ApiException(409, "A snapshot restore is already running on this server");
                }
                ex.dispatch(() -> restore(ex));
            }
        }));
    }

    private void save(HttpServerExchange ex, Consistency mode) {
        Path dir = null;
        try {
            if (mode != Consistency.STALE) {
                ctx.consensus().readBarrier().get(30, TimeUnit.SECONDS);
            }
            dir = Files.createTempDirectory(workDir, "save-");
            Path archive = dir.resolve("snapshot.tar.gz");
            SnapshotMeta meta = SnapshotArchive.write(ctx.state(), archive);
            LOG.info("snapshot {} saved for a client: index {}, {} bytes", meta.id(), meta.index(), Files.size(archive));
            Responses.setQueryMeta(ex, ctx, meta.index(), mode);
            ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/octet-stream");
            ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, Files.size(archive));
            ex.startBlocking();
            try (OutputStream out = ex.getOutputStream()) {
                Files.copy(archive, out);
            }
        } catch (ExecutionException | TimeoutException e) {
            fail(ex, 500, "No cluster leader: " + (e.getCause() != null ? e.getCause().getMessage() : "timed out"));
        } catch (IOException | RuntimeException e) {
            LOG.error("saving a snapshot failed", e);
            fail(ex, 500, "Saving the snapshot failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(ex, 500, "interrupted");
        } finally {
            deleteTree(dir);
        }
    }

    /** How a restore ended: 200 with no message, or an error status and its message. */
    private record Outcome(int status, String message) {
    }

    private void restore(HttpServerExchange ex) {
        Outcome outcome;
        try {
            outcome = tryRestore(ex);
        } finally {
            // free before answering: a client may send its next restore the moment it has the answer
            restoring.set(false);
        }
        if (outcome.status() == 200) {
            Responses.setQueryMeta(ex, ctx, ctx.state().lastIndex(), Consistency.DEFAULT);
            Responses.sendEmpty(ex, 200);
        } else {
            fail(ex, outcome.status(), outcome.message());
        }
    }

    private Outcome tryRestore(HttpServerExchange ex) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory(workDir, "restore-");
            Path upload = dir.resolve("upload.tar.gz");
            ex.setMaxEntitySize(MAX_UPLOAD_BYTES);
            ex.startBlocking();
            if (HttpContinue.requiresContinueResponse(ex)) {
                // curl asks before sending a large body, and would otherwise wait a second
                HttpContinue.sendContinueResponseBlocking(ex);
            }
            try (InputStream in = ex.getInputStream()) {
                Files.copy(in, upload);
            }
            SnapshotArchive.Verified snapshot = SnapshotArchive.verify(upload, dir);
            Files.delete(upload);
            new Restorer(ctx.consensus()).restore(snapshot);
            return new Outcome(200, "");
        } catch (SnapshotArchive.InvalidSnapshotException e) {
            LOG.warn("snapshot restore refused: {}", e.getMessage());
            return new Outcome(400, e.getMessage());
        } catch (RequestTooBigException e) {
            return new Outcome(413, "Snapshot is too large: the limit is " + MAX_UPLOAD_BYTES + " bytes");
        } catch (Restorer.RestoreFailedException e) {
            LOG.error("snapshot restore failed: {}", e.getMessage());
            return new Outcome(500, e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.error("snapshot restore failed", e);
            return new Outcome(500, "Restoring the snapshot failed: " + e);
        } finally {
            deleteTree(dir);
        }
    }

    private static void checkLength(HttpServerExchange ex) {
        String declared = ex.getRequestHeaders().getFirst(Headers.CONTENT_LENGTH);
        if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > MAX_UPLOAD_BYTES) {
            throw new ApiException(413, "Snapshot is too large: " + declared + " bytes, the limit is "
                    + MAX_UPLOAD_BYTES + " bytes");
        }
    }

    /** Answers an error, unless the body already started (then the client sees a cut-short body). */
    private static void fail(HttpServerExchange ex, int status, String message) {
        if (ex.isResponseStarted()) {
            ex.endExchange();
        } else {
            ex.getResponseHeaders().remove(Headers.CONTENT_LENGTH);
            Responses.sendText(ex, status, message);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}

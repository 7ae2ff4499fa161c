package dev.cairn.cli;

import dev.cairn.client.CairnClient;
import dev.cairn.store.snapshot.SnapshotArchive;
import dev.cairn.store.snapshot.SnapshotMeta;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code cairn snapshot save|restore|inspect}: backups of the whole store, as {@code consul
 * snapshot ...}. The file is the archive {@code GET /v1/snapshot} answers (see SnapshotArchive).
 */
@Command(name = "snapshot", description = "Save, restore and inspect backups of the whole store.",
        subcommands = {SnapshotCommand.Save.class, SnapshotCommand.Restore.class, SnapshotCommand.Inspect.class})
final class SnapshotCommand implements Runnable {

    @Mixin
    HelpOption help;

    @Override
    public void run() {
        throw new UsageException("missing subcommand: save, restore or inspect");
    }

    /**
     * Downloads to a temp file next to FILE, verifies it as a restore would, then renames it over
     * FILE: an interrupted or damaged download never leaves a half-written FILE.
     */
    @Command(name = "save", description = "Save a backup of the whole store to FILE.")
    static final class Save implements Callable<Integer> {

        private final Io io;

        @Mixin
        ClientOptions server;

        @Mixin
        HelpOption help;

        @Option(names = {"-stale", "--stale"}, description = "Let any server answer, even if it lags the leader.")
        boolean stale;

        @Parameters(index = "0", paramLabel = "FILE", description = "Where to write the backup.")
        Path file;

        Save(Io io) {
            this.io = io;
        }

        @Override
        public Integer call() throws IOException {
            Path target = file.toAbsolutePath();
            Path temp;
            try {
                temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".part");
            } catch (IOException e) {
                io.error("Error saving snapshot: cannot write in " + target.getParent() + ": " + e.getMessage());
                return 1;
            }
            Path work = null;
            try {
                Map<String, String> query = CairnClient.query();
                if (stale) {
                    query.put("stale", null);
                }
                CairnClient.Transfer bar = Progress.on(io, "Saving snapshot");
                CairnClient.Response r = server.client().download("/v1/snapshot", query, temp, bar);
                Progress.finish(bar);
                if (r.status() >= 400) {
                    io.error("Error saving snapshot: " + r.status() + " " + r.text().strip());
                    return 1;
                }
                work = Files.createTempDirectory("cairn-snapshot-");
                SnapshotMeta meta;
                try {
                    meta = SnapshotArchive.verify(temp, work).meta();
                } catch (SnapshotArchive.InvalidSnapshotException e) {
                    io.error("Error verifying snapshot: " + e.getMessage());
                    return 1;
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                io.println("Saved and verified snapshot to index " + meta.index());
                return 0;
            } finally {
                Files.deleteIfExists(temp);
                deleteTree(work);
            }
        }
    }

    /** Uploads FILE; the server verifies all of it before anything changes. */
    @Command(name = "restore", description = "Replace the whole store's state with the backup in FILE.")
    static final class Restore implements Callable<Integer> {

        private final Io io;

        @Mixin
        ClientOptions server;

        @Mixin
        HelpOption help;

        @Parameters(index = "0", paramLabel = "FILE", description = "A file written by snapshot save.")
        Path file;

        Restore(Io io) {
            this.io = io;
        }

        @Override
        public Integer call() {
            checkReadable(file);
            CairnClient.Transfer bar = Progress.on(io, "Restoring snapshot");
            CairnClient.Response r = server.client().upload("/v1/snapshot", null, file, bar);
            Progress.finish(bar);
            if (r.status() >= 400) {
                io.error("Error restoring snapshot: " + r.text().strip());
                return 1;
            }
            io.println("Restored snapshot");
            return 0;
        }
    }

    /** Verifies FILE offline (no server needed) and prints what it holds. */
    @Command(name = "inspect", description = "Verify a backup FILE and print its index, term, size and contents.")
    static final class Inspect implements Callable<Integer> {

        private final Io io;

        @Mixin
        HelpOption help;

        @Parameters(index = "0", paramLabel = "FILE", description = "A file written by snapshot save.")
        Path file;

        Inspect(Io io) {
            this.io = io;
        }

        @Override
        public Integer call() throws IOException {
            checkReadable(file);
            Path work = Files.createTempDirectory("cairn-snapshot-");
            try {
                SnapshotMeta m = SnapshotArchive.verify(file, work).meta();
                SnapshotMeta.Counts c = m.counts();
                Table t = new Table(Table.TABWRITER);
                row(t, "ID", m.id());
                row(t, "Size", Long.toString(m.size()));
                row(t, "Index", Long.toString(m.index()));
                row(t, "Term", Long.toString(m.term()));
                row(t, "Version", Integer.toString(m.version()));
                row(t, "Time", m.time());
                row(t, "Keys", Long.toString(c.keys()));
                row(t, "Nodes", Long.toString(c.nodes()));
                row(t, "Services", Long.toString(c.services()));
                row(t, "Checks", Long.toString(c.checks()));
                row(t, "Sessions", Long.toString(c.sessions()));
                t.print(io);
                return 0;
            } catch (SnapshotArchive.InvalidSnapshotException e) {
                io.error("Error verifying snapshot: " + e.getMessage());
                return 1;
            } finally {
                deleteTree(work);
            }
        }

        private static void row(Table t, String name, String value) {
            t.row(" " + name, value);
        }
    }

    /** A file to read, or a failure naming why it cannot be read. */
    private static void checkReadable(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Error reading snapshot: " + file + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("Error reading snapshot: " + file + ": permission denied");
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}

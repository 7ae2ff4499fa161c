package dev.cairn.watcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * Replaces a file's contents so that a reader sees the old file or the new one, never a mix, and a
 * crash leaves one of the two: the new bytes go to a temp file in the destination's folder (same
 * file system, so the rename is atomic), which is fsynced, given the destination's mode (and owner,
 * when we may), renamed over the destination, and the folder fsynced so the rename survives a
 * crash. A file whose contents would not change is not touched at all: no new inode, no mtime
 * change, and the caller runs no reload command.
 *
 * <p>The two halves can be used apart: {@link #stage} leaves the new bytes in the temp file (so a
 * check command can read them) and {@link Staged#commit} renames it into place, optionally keeping
 * the old file as {@code DEST.bak}. {@link Staged#swap} renames without waiting for the folder's
 * fsync, so a reload command can start while it runs ({@link OutputPublisher}); the fsync then
 * happens in {@link Staged#syncFolder}, at the latest when the {@code Staged} is closed.
 *
 * <p>A destination that is a symbolic link is written through: the link's target is replaced, the
 * link stays (deploy tools often link {@code conf.d} files to a release folder).
 */
final class AtomicFileWriter {

    private static final Logger log = LoggerFactory.getLogger(AtomicFileWriter.class);

    /**
     * Makes a folder's entries (a rename) durable. Tests substitute one that records its calls;
     * {@link #FSYNC} is the real one.
     */
    interface FolderSync {
        void sync(Path folder);
    }

    /** fsyncs the folder; some file systems cannot: that is logged, not an error. */
    static final FolderSync FSYNC = AtomicFileWriter::fsyncFolder;

    private final Set<PosixFilePermission> newFileMode;
    private final Set<PosixFilePermission> forcedMode;
    private final boolean createDirs;
    private final FolderSync folderSync;

    /** @param newFileMode the mode of files that do not exist yet, e.g. {@code 0644} */
    AtomicFileWriter(int newFileMode) {
        this(newFileMode, null, true);
    }

    /**
     * @param newFileMode the mode of files that do not exist yet
     * @param forcedMode  the mode of every file written, existing or not ({@code perms}); null keeps an
     *                    existing file's mode
     * @param createDirs  create missing folders above the destination ({@code create_dest_dirs})
     */
    AtomicFileWriter(int newFileMode, Integer forcedMode, boolean createDirs) {
        this(newFileMode, forcedMode, createDirs, FSYNC);
    }

    /** As above, with {@code folderSync} making renames durable (tests record it). */
    AtomicFileWriter(int newFileMode, Integer forcedMode, boolean createDirs, FolderSync folderSync) {
        this.newFileMode = permissions(newFileMode);
        this.forcedMode = forcedMode == null ? null : permissions(forcedMode);
        this.createDirs = createDirs;
        this.folderSync = folderSync;
    }

    /**
     * Writes {@code content} to {@code destination} unless it already holds exactly that.
     *
     * @return true if the file was written (created or changed)
     */
    boolean write(Path destination, byte[] content) throws IOException {
        try (Staged staged = stage(destination, content)) {
            if (staged == null) {
                return false;
            }
            staged.commit(false);
            return true;
        }
    }

    /**
     * Puts {@code content} in a temp file next to {@code destination}, fsynced and with the mode
     * and owner it will have, ready to be checked and then {@link Staged#commit committed}. Close
     * it to drop the temp file if it is not committed.
     *
     * @return null when the destination already holds exactly {@code content}: nothing to do
     */
    Staged stage(Path destination, byte[] content) throws IOException {
        Path target = destination;
        if (Files.isSymbolicLink(destination) && Files.exists(destination)) {
            target = destination.toRealPath();
        }
        PosixFileAttributes existing = attributes(target);
        byte[] previous = null;
        if (existing != null && existing.isRegularFile()) {
            previous = Files.readAllBytes(target);
            if (Arrays.equals(previous, content)) {
                return null;
            }
        }
        if (existing != null && !existing.isRegularFile()) {
            throw new FileSystemException(target.toString(), null, "not a regular file");
        }
        Path folder = target.toAbsolutePath().getParent();
        if (createDirs) {
            Files.createDirectories(folder);
        } else if (!Files.isDirectory(folder)) {
            throw new NoSuchFileException(folder.toString(), null, "folder does not exist (create_dest_dirs is off)");
        }
        Path temp = Files.createTempFile(folder, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            // set explicitly: the umask narrows modes given at creation
            Files.setPosixFilePermissions(temp, forcedMode != null ? forcedMode
                    : existing != null ? existing.permissions() : newFileMode);
            if (existing != null) {
                keepOwner(temp, existing);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return new Staged(target, temp, previous, existing, folderSync);
    }

    /**
     * A rendered file waiting next to its destination. {@link #commit} renames it over the
     * destination and fsyncs the folder; {@link #swap} only renames, leaving the fsync to
     * {@link #syncFolder} or {@link #close}. {@link #close} deletes the temp file if it was not
     * renamed. Used by one thread.
     */
    static final class Staged implements AutoCloseable {
        private final Path target;
        private final Path temp;
        private final byte[] previous;
        private final PosixFileAttributes previousAttributes;
        private final FolderSync folderSync;
        private boolean committed;
        private boolean synced;

        private Staged(Path target, Path temp, byte[] previous, PosixFileAttributes previousAttributes,
                       FolderSync folderSync) {
            this.target = target;
            this.temp = temp;
            this.previous = previous;
            this.previousAttributes = previousAttributes;
            this.folderSync = folderSync;
        }

        /** The temp file: what a check command reads ({@code CAIRN_RENDERED}). */
        Path temp() {
            return temp;
        }

        /** The file replaced: the destination, or a symbolic link's target. */
        Path target() {
            return target;
        }

        /** The destination's contents before, or null when it did not exist. */
        byte[] previous() {
            return previous;
        }

        /**
         * Renames the temp file over the destination, atomically, and fsyncs the folder.
         *
         * @param backup first keep the current destination as {@code DEST.bak} (when there is one)
         */
        void commit(boolean backup) throws IOException {
            swap(backup);
            syncFolder();
        }

        /**
         * Renames the temp file over the destination, atomically: readers see the new file from
         * now on. The rename is durable only after {@link #syncFolder} (or {@link #close}).
         *
         * @param backup first keep the current destination as {@code DEST.bak} (when there is one)
         */
        void swap(boolean backup) throws IOException {
            if (backup && previous != null) {
                Path bak = target.resolveSibling(target.getFileName() + ".bak");
                Path bakTemp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + bak.getFileName() + ".", ".tmp");
                try {
                    Files.write(bakTemp, previous);
                    Files.setPosixFilePermissions(bakTemp, previousAttributes.permissions());
                    keepOwner(bakTemp, previousAttributes);
                    Files.move(bakTemp, bak, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(bakTemp);
                }
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
        }

        /** fsyncs the destination's folder once the temp file was renamed, so the rename survives a crash; once. */
        void syncFolder() {
            if (committed && !synced) {
                synced = true;
                folderSync.sync(target.toAbsolutePath().getParent());
            }
        }

        /** Deletes the temp file if it was not renamed, else makes sure the folder was fsynced. */
        @Override
        public void close() throws IOException {
            if (!committed) {
                Files.deleteIfExists(temp);
            } else {
                syncFolder();
            }
        }
    }

    /** The file's attributes, or null when it does not exist. */
    private static PosixFileAttributes attributes(Path file) throws IOException {
        try {
            return Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Only root may give a file away: as anyone else, keeping owner and group is best effort. */
    private static void keepOwner(Path temp, PosixFileAttributes existing) {
        PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
        try {
            UserPrincipal owner = existing.owner();
            GroupPrincipal group = existing.group();
            PosixFileAttributes now = view.readAttributes();
            if (!now.owner().equals(owner)) {
                view.setOwner(owner);
            }
            if (!now.group().equals(group)) {
                view.setGroup(group);
            }
        } catch (AccessDeniedException e) {
            log.debug("cannot keep owner of {}: {}", temp, e.getMessage());
        } catch (IOException e) {
            log.debug("cannot keep owner of {}: {}", temp, e.toString());
        }
    }

    /** Makes the rename durable. Some file systems cannot fsync a folder: that is not an error. */
    private static void fsyncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            log.debug("cannot fsync folder {}: {}", folder, e.toString());
        }
    }

    /** {@code 0644} as permissions. */
    static Set<PosixFilePermission> permissions(int mode) {
        if (mode < 0 || mode > 0777) {
            throw new IllegalArgumentException("file mode must be between 0000 and 0777, not " + Integer.toOctalString(mode));
        }
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }
}

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
 * <p>A destination that is a symbolic link is written through: the link's target is replaced, the
 * link stays (deploy tools often link {@code conf.d} files to a release folder).
 */
final class AtomicFileWriter {

    private static final Logger log = LoggerFactory.getLogger(AtomicFileWriter.class);

    private final Set<PosixFilePermission> newFileMode;

    /** @param newFileMode the mode of files that do not exist yet, e.g. {@code 0644} */
    AtomicFileWriter(int newFileMode) {
        this.newFileMode = permissions(newFileMode);
    }

    /**
     * Writes {@code content} to {@code destination} unless it already holds exactly that.
     *
     * @return true if the file was written (created or changed)
     */
    boolean write(Path destination, byte[] content) throws IOException {
        Path target = destination;
        if (Files.isSymbolicLink(destination) && Files.exists(destination)) {
            target = destination.toRealPath();
        }
        PosixFileAttributes existing = attributes(target);
        if (existing != null && existing.isRegularFile() && Arrays.equals(Files.readAllBytes(target), content)) {
            return false;
        }
        if (existing != null && !existing.isRegularFile()) {
            throw new FileSystemException(target.toString(), null, "not a regular file");
        }
        Path folder = target.toAbsolutePath().getParent();
        Files.createDirectories(folder);
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
            Files.setPosixFilePermissions(temp, existing != null ? existing.permissions() : newFileMode);
            if (existing != null) {
                keepOwner(temp, existing);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncFolder(folder);
        return true;
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
    private static void syncFolder(Path folder) {
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

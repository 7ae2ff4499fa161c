package dev.cairn.store.snapshot;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The little of POSIX ustar a backup needs: regular files with short names, as Go's archive/tar
 * writes them for Consul. Each file is a 512-byte header, its bytes, and zero padding to a
 * multiple of 512; two zero blocks end the archive. The size field holds 11 octal digits, so a
 * file may be up to 8 GiB.
 */
final class Tar {

    static final int BLOCK = 512;
    static final long MAX_SIZE = 077777777777L;

    private Tar() {
    }

    /** One file's header as read: its name and size. */
    record Header(String name, long size) {
    }

    static void writeHeader(OutputStream out, String name, long size, long mtimeSeconds) throws IOException {
        if (size > MAX_SIZE) {
            throw new IOException(name + " is too large for a snapshot: " + size + " bytes, the limit is " + MAX_SIZE);
        }
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        put(h, 100, 8, "0000644");
        put(h, 108, 8, "0000000");
        put(h, 116, 8, "0000000");
        put(h, 124, 12, String.format("%011o", size));
        put(h, 136, 12, String.format("%011o", mtimeSeconds));
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = '0';
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        put(h, 265, 32, "cairn");
        put(h, 297, 32, "cairn");
        put(h, 148, 8, String.format("%06o", checksum(h)));
        h[155] = ' ';
        out.write(h);
    }

    /** Zeros after a file of {@code size} bytes, up to the next block. */
    static void writePadding(OutputStream out, long size) throws IOException {
        int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
        out.write(new byte[pad]);
    }

    static void writeEnd(OutputStream out) throws IOException {
        out.write(new byte[2 * BLOCK]);
    }

    /**
     * Reads the next header, or null at the end-of-archive marker. An archive that stops before
     * its marker is truncated ({@link EOFException}); a header that fails its checksum is not tar.
     */
    static Header readHeader(InputStream in) throws IOException {
        byte[] h = readBlock(in);
        if (isZero(h)) {
            if (!isZero(readBlock(in))) {
                throw new SnapshotArchive.InvalidSnapshotException("snapshot is corrupt: damaged end of the tar archive");
            }
            return null;
        }
        if (!new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            throw new SnapshotArchive.InvalidSnapshotException("snapshot is not a tar archive (no ustar header)");
        }
        long stored = octal(h, 148, 8);
        if (stored != checksum(h)) {
            throw new SnapshotArchive.InvalidSnapshotException("snapshot is corrupt: a tar header fails its checksum");
        }
        if (h[156] != '0' && h[156] != 0) {
            throw new SnapshotArchive.InvalidSnapshotException("snapshot holds something other than plain files");
        }
        String name = text(h, 0, 100);
        String prefix = text(h, 345, 155);
        return new Header(prefix.isEmpty() ? name : prefix + "/" + name, octal(h, 124, 12));
    }

    /** Skips the padding after a file of {@code size} bytes whose content was read. */
    static void skipPadding(InputStream in, long size) throws IOException {
        int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
        if (in.readNBytes(pad).length != pad) {
            throw new EOFException("tar padding cut short");
        }
    }

    private static byte[] readBlock(InputStream in) throws IOException {
        byte[] b = in.readNBytes(BLOCK);
        if (b.length != BLOCK) {
            throw new EOFException("tar archive ends inside a block");
        }
        return b;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** The header's checksum: its bytes summed unsigned, counting the checksum field as spaces. */
    private static long checksum(byte[] h) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
        }
        return sum;
    }

    private static void put(byte[] h, int at, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, Math.min(b.length, len));
    }

    private static String text(byte[] h, int at, int len) {
        int end = at;
        while (end < at + len && h[end] != 0) {
            end++;
        }
        return new String(h, at, end - at, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] h, int at, int len) throws SnapshotArchive.InvalidSnapshotException {
        String s = text(h, at, len).trim();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new SnapshotArchive.InvalidSnapshotException("snapshot is corrupt: bad number in a tar header");
        }
    }
}

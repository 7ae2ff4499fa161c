package dev.cairn.cli;

import dev.cairn.client.CairnClient;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr for long transfers ({@code snapshot save/restore}), redrawn
 * with a carriage return at most ten times a second. Drawn only on a terminal: in a pipe, a log
 * or a test, carriage returns would be noise, so there it prints nothing.
 */
final class Progress implements CairnClient.Transfer {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream err;
    private final String label;
    private long lastDrawn = Long.MIN_VALUE;
    private long done;
    private long total = -1;

    Progress(PrintStream err, String label) {
        this.err = err;
        this.label = label;
    }

    /** A bar on the real stderr when it is a terminal; otherwise one that draws nothing. */
    static CairnClient.Transfer on(Io io, String label) {
        boolean terminal = System.console() != null && io.err() == System.err;
        return terminal ? new Progress(io.err(), label) : CairnClient.Transfer.NONE;
    }

    @Override
    public void progress(long done, long total) {
        this.done = done;
        this.total = total;
        long now = System.nanoTime();
        if (lastDrawn == Long.MIN_VALUE || now - lastDrawn >= REDRAW_NANOS || done == total) {
            lastDrawn = now;
            err.print("\r" + line());
            err.flush();
        }
    }

    /** Ends the bar's line, if one was drawn. */
    void finish() {
        if (lastDrawn != Long.MIN_VALUE) {
            err.print("\r" + line() + "\n");
            err.flush();
        }
    }

    static void finish(CairnClient.Transfer t) {
        if (t instanceof Progress p) {
            p.finish();
        }
    }

    String line() {
        if (total <= 0) {
            return String.format(Locale.ROOT, "%s %s", label, megabytes(done));
        }
        int filled = (int) (WIDTH * Math.min(done, total) / total);
        return String.format(Locale.ROOT, "%s [%s%s] %3d%% %s / %s", label, "#".repeat(filled),
                " ".repeat(WIDTH - filled), 100 * Math.min(done, total) / total, megabytes(done), megabytes(total));
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1_000_000.0);
    }
}

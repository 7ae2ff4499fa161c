package dev.cairn.watcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A line diff in unified format ({@code diff -u}), for {@code -dry -diff}: {@code ---}/{@code +++}
 * headers, {@code @@ -a,b +c,d @@} hunks with three lines of context, and GNU diff's
 * {@code \ No newline at end of file} marker.
 *
 * <p>The edit script is Myers' O(ND) greedy algorithm (E. Myers, "An O(ND) Difference Algorithm
 * and Its Variations", 1986), run on what remains after the common head and tail are cut off,
 * which for a re-rendered config file is usually a few lines. Its trace costs memory in proportion
 * to D times the lines compared, so past {@link #MAX_TRACE} cells (two very different large files)
 * the differing middle is shown as all removed, then all added: still a correct diff, not a minimal one.
 */
final class UnifiedDiff {

    static final int CONTEXT = 3;
    /** Cells of Myers' trace kept before giving up on a minimal diff (4 bytes each). */
    static final long MAX_TRACE = 8_000_000;

    private enum Kind { SAME, REMOVED, ADDED }

    /** One line of the edit script, with its 0-based positions in the old and new text. */
    private record Edit(Kind kind, int oldLine, int newLine, String text) {
    }

    private UnifiedDiff() {
    }

    /** The diff from {@code before} to {@code after}, or "" when they are equal. */
    static String diff(String oldName, String newName, String before, String after) {
        if (before.equals(after)) {
            return "";
        }
        List<Edit> edits = edits(lines(before), lines(after));
        StringBuilder out = new StringBuilder();
        out.append("--- ").append(oldName).append('\n');
        out.append("+++ ").append(newName).append('\n');
        int i = 0;
        while (i < edits.size()) {
            if (edits.get(i).kind() == Kind.SAME) {
                i++;
                continue;
            }
            int start = Math.max(0, i - CONTEXT);
            int end = i;
            // extend over changes closer together than two contexts, so hunks do not overlap
            while (true) {
                while (end < edits.size() && edits.get(end).kind() != Kind.SAME) {
                    end++;
                }
                int nextChange = end;
                while (nextChange < edits.size() && edits.get(nextChange).kind() == Kind.SAME) {
                    nextChange++;
                }
                if (nextChange < edits.size() && nextChange - end <= 2 * CONTEXT) {
                    end = nextChange;
                } else {
                    end = Math.min(edits.size(), end + CONTEXT);
                    break;
                }
            }
            hunk(out, edits.subList(start, end));
            i = end;
        }
        return out.toString();
    }

    private static void hunk(StringBuilder out, List<Edit> edits) {
        int oldCount = 0;
        int newCount = 0;
        for (Edit e : edits) {
            oldCount += e.kind() != Kind.ADDED ? 1 : 0;
            newCount += e.kind() != Kind.REMOVED ? 1 : 0;
        }
        Edit first = edits.get(0);
        out.append("@@ -").append(range(first.oldLine(), oldCount))
                .append(" +").append(range(first.newLine(), newCount)).append(" @@\n");
        for (Edit e : edits) {
            out.append(switch (e.kind()) {
                case SAME -> ' ';
                case REMOVED -> '-';
                case ADDED -> '+';
            }).append(e.text());
            if (!e.text().endsWith("\n")) {
                out.append("\n\\ No newline at end of file\n");
            }
        }
    }

    /** GNU diff's range: 1-based start, count omitted when 1; an empty range names the line before. */
    private static String range(int start, int count) {
        if (count == 0) {
            return start + ",0";
        }
        return count == 1 ? Integer.toString(start + 1) : (start + 1) + "," + count;
    }

    /** The text's lines, each with its {@code \n} (the last may have none). */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            int to = nl < 0 ? text.length() : nl + 1;
            lines.add(text.substring(from, to));
            from = to;
        }
        return lines;
    }

    private static List<Edit> edits(List<String> a, List<String> b) {
        int head = 0;
        while (head < a.size() && head < b.size() && a.get(head).equals(b.get(head))) {
            head++;
        }
        int tail = 0;
        while (tail < a.size() - head && tail < b.size() - head
                && a.get(a.size() - 1 - tail).equals(b.get(b.size() - 1 - tail))) {
            tail++;
        }
        List<Edit> edits = new ArrayList<>();
        for (int i = 0; i < head; i++) {
            edits.add(new Edit(Kind.SAME, i, i, a.get(i)));
        }
        List<String> midA = a.subList(head, a.size() - tail);
        List<String> midB = b.subList(head, b.size() - tail);
        List<Edit> middle = myers(midA, midB);
        if (middle == null) {
            middle = new ArrayList<>();
            for (int i = 0; i < midA.size(); i++) {
                middle.add(new Edit(Kind.REMOVED, i, 0, midA.get(i)));
            }
            for (int j = 0; j < midB.size(); j++) {
                middle.add(new Edit(Kind.ADDED, midA.size(), j, midB.get(j)));
            }
        }
        for (Edit e : middle) {
            edits.add(new Edit(e.kind(), e.oldLine() + head, e.newLine() + head, e.text()));
        }
        for (int t = tail; t > 0; t--) {
            edits.add(new Edit(Kind.SAME, a.size() - t, b.size() - t, a.get(a.size() - t)));
        }
        return edits;
    }

    /** A shortest edit script from {@code a} to {@code b}, or null when its trace grows too large. */
    private static List<Edit> myers(List<String> a, List<String> b) {
        int n = a.size();
        int m = b.size();
        int max = n + m;
        int offset = max + 1;
        int[] v = new int[2 * max + 3];
        List<int[]> trace = new ArrayList<>();
        for (int d = 0; d <= max; d++) {
            if ((long) (d + 1) * v.length > MAX_TRACE) {
                return null;
            }
            trace.add(v.clone());
            for (int k = -d; k <= d; k += 2) {
                int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
                        ? v[offset + k + 1] : v[offset + k - 1] + 1;
                int y = x - k;
                while (x < n && y < m && a.get(x).equals(b.get(y))) {
                    x++;
                    y++;
                }
                v[offset + k] = x;
                if (x >= n && y >= m) {
                    return backtrack(a, b, trace, offset);
                }
            }
        }
        throw new IllegalStateException("unreachable: Myers ends within n + m steps");
    }

    private static List<Edit> backtrack(List<String> a, List<String> b, List<int[]> trace, int offset) {
        List<Edit> reversed = new ArrayList<>();
        int x = a.size();
        int y = b.size();
        for (int d = trace.size() - 1; d >= 0; d--) {
            int[] v = trace.get(d);
            int k = x - y;
            int prevK = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? k + 1 : k - 1;
            int prevX = v[offset + prevK];
            int prevY = prevX - prevK;
            while (x > prevX && y > prevY) {
                x--;
                y--;
                reversed.add(new Edit(Kind.SAME, x, y, a.get(x)));
            }
            if (d > 0) {
                if (x == prevX) {
                    reversed.add(new Edit(Kind.ADDED, x, prevY, b.get(prevY)));
                } else {
                    reversed.add(new Edit(Kind.REMOVED, prevX, y, a.get(prevX)));
                }
            }
            x = prevX;
            y = prevY;
        }
        Collections.reverse(reversed);
        return reversed;
    }
}

package dev.cairn.watcher;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class UnifiedDiffTest {

    private static String diff(String before, String after) {
        return UnifiedDiff.diff("out.conf", "out.conf", before, after);
    }

    @Test
    void equalTextsHaveNoDiff() {
        assertThat(diff("a\nb\n", "a\nb\n")).isEmpty();
    }

    @Test
    void aChangedLineWithThreeLinesOfContext() {
        String before = "upstream web {\n  server 10.0.0.1:80;\n  server 10.0.0.2:80;\n}\nworkers 4;\nlog on;\nend\n";
        String after = "upstream web {\n  server 10.0.0.1:80;\n  server 10.0.0.3:80;\n}\nworkers 4;\nlog on;\nend\n";

        assertThat(diff(before, after)).isEqualTo("""
                --- out.conf
                +++ out.conf
                @@ -1,6 +1,6 @@
                 upstream web {
                   server 10.0.0.1:80;
                -  server 10.0.0.2:80;
                +  server 10.0.0.3:80;
                 }
                 workers 4;
                 log on;
                """);
    }

    @Test
    void distantChangesMakeSeparateHunks() {
        String before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
        String after = "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n";

        assertThat(diff(before, after)).isEqualTo("""
                --- out.conf
                +++ out.conf
                @@ -1,4 +1,4 @@
                -1
                +one
                 2
                 3
                 4
                @@ -10,3 +10,4 @@
                 10
                 11
                 12
                +13
                """);
    }

    @Test
    void aNewFileIsAllAdditionsFromDevNull() {
        assertThat(UnifiedDiff.diff("/dev/null", "out.conf", "", "a\nb\n")).isEqualTo("""
                --- /dev/null
                +++ out.conf
                @@ -0,0 +1,2 @@
                +a
                +b
                """);
    }

    @Test
    void aMissingFinalNewlineIsMarkedAsGnuDiffDoes() {
        assertThat(diff("a\nb", "a\nb\n")).isEqualTo("""
                --- out.conf
                +++ out.conf
                @@ -1,2 +1,2 @@
                 a
                -b
                \\ No newline at end of file
                +b
                """);
    }

    @Test
    void removingEverything() {
        assertThat(diff("x\n", "")).isEqualTo("""
                --- out.conf
                +++ out.conf
                @@ -1 +0,0 @@
                -x
                """);
    }

    @Test
    void applyingTheDiffToTheOldTextGivesTheNewOne() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            String before = randomText(random);
            String after = mutate(random, before);
            String diff = diff(before, after);
            assertThat(apply(before, diff)).as("round %d:\n%s\n--- to ---\n%s\n--- diff ---\n%s", round, before, after, diff)
                    .isEqualTo(after);
        }
    }

    @Test
    void theScriptIsMinimalForASimpleReorder() {
        String diff = diff("a\nb\nc\nd\n", "b\nc\nd\na\n");
        assertThat(diff.lines().filter(l -> l.startsWith("-") || l.startsWith("+"))
                .filter(l -> !l.startsWith("---") && !l.startsWith("+++"))).containsExactly("-a", "+a");
    }

    @Test
    void veryDifferentLargeTextsStillGiveACorrectDiff() {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            a.append("old ").append(i).append('\n');
            b.append("new ").append(i).append('\n');
        }
        String diff = diff(a.toString(), b.toString());
        assertThat(apply(a.toString(), diff)).isEqualTo(b.toString());
    }

    private static String randomText(Random random) {
        StringBuilder s = new StringBuilder();
        int lines = random.nextInt(15);
        for (int i = 0; i < lines; i++) {
            s.append((char) ('a' + random.nextInt(4)));
            if (i < lines - 1 || random.nextInt(4) > 0) {
                s.append('\n');
            }
        }
        return s.toString();
    }

    private static String mutate(Random random, String text) {
        List<String> lines = new ArrayList<>(UnifiedDiff.lines(text));
        int edits = random.nextInt(5);
        for (int i = 0; i < edits; i++) {
            if (random.nextInt(3) == 0 && !lines.isEmpty()) {
                lines.remove(random.nextInt(lines.size()));
            } else {
                lines.add(random.nextInt(lines.size() + 1), (char) ('a' + random.nextInt(5)) + "\n");
            }
        }
        // only the last line may lack its newline
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (!l.endsWith("\n")) {
                lines.set(i, l + "\n");
            }
        }
        if (!lines.isEmpty() && random.nextInt(4) == 0) {
            String last = lines.get(lines.size() - 1);
            lines.set(lines.size() - 1, last.substring(0, last.length() - 1));
        }
        return String.join("", lines);
    }

    private static final Pattern HUNK = Pattern.compile("@@ -(\\d+)(?:,(\\d+))? \\+(\\d+)(?:,(\\d+))? @@");

    /** A small patch(1): applies a unified diff to a text. */
    private static String apply(String before, String diff) {
        if (diff.isEmpty()) {
            return before;
        }
        List<String> old = UnifiedDiff.lines(before);
        List<String> result = new ArrayList<>();
        List<String> lines = UnifiedDiff.lines(diff);
        int oldPos = 0;
        int i = 2; // skip --- and +++
        while (i < lines.size()) {
            Matcher m = HUNK.matcher(lines.get(i));
            assertThat(m.lookingAt()).as("hunk header: " + lines.get(i)).isTrue();
            int oldStart = Integer.parseInt(m.group(1));
            int oldCount = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
            int target = oldCount == 0 ? oldStart : oldStart - 1;
            while (oldPos < target) {
                result.add(old.get(oldPos++));
            }
            i++;
            while (i < lines.size() && !lines.get(i).startsWith("@@")) {
                String line = lines.get(i);
                String body = line.substring(1);
                boolean noNewline = i + 1 < lines.size() && lines.get(i + 1).startsWith("\\ No newline");
                if (noNewline) {
                    body = body.substring(0, body.length() - 1);
                }
                switch (line.charAt(0)) {
                    case ' ' -> {
                        assertThat(old.get(oldPos)).isEqualTo(body);
                        result.add(body);
                        oldPos++;
                    }
                    case '-' -> {
                        assertThat(old.get(oldPos)).isEqualTo(body);
                        oldPos++;
                    }
                    case '+' -> result.add(body);
                    default -> throw new AssertionError("bad diff line: " + line);
                }
                i += noNewline ? 2 : 1;
            }
        }
        while (oldPos < old.size()) {
            result.add(old.get(oldPos++));
        }
        return String.join("", result);
    }
}

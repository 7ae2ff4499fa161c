package dev.cairn.template;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What MustacheParser will make of a text's lines, found by scanning it the way the parser does
 * (Mustache.java 0.9.14, spec whitespace), before it parses.
 *
 * <p>Two things need this. First, standalone lines: the Mustache spec drops a line holding nothing
 * but a comment or set-delimiter tag (as it drops standalone section lines), so a commented config
 * template does not turn into a config file full of blank lines; Mustache.java keeps those blanks,
 * so {@link CheckingVisitor} leaves them out using {@link #isStandalone}. Second, line numbers: the
 * parser does not count newlines inside a tag (a comment over several lines) nor the newline it
 * drops after a standalone partial, so its numbers fall behind; {@link #realLine} maps them back
 * for error messages.
 *
 * <p>The scan follows the parser: the first end delimiter after a start delimiter closes a tag, the
 * tag type is its first character, {@code {{=<% %>=}}} switches delimiters. It stops at anything
 * it does not understand, which the parser then reports.
 */
final class SourceLines {

    /** A tag as found: its type and text, and the line the parser gives it and the real one. */
    private record Tag(char type, String content, int parserLine, int realLine) {

        boolean names(String name) {
            return content.trim().equals(name) || content.substring(1).trim().equals(name);
        }
    }

    private final Set<Integer> standalone = new HashSet<>();
    private final List<Integer> realLines = new ArrayList<>(List.of(0, 1)); // index = parser line
    private final List<Tag> tags = new ArrayList<>();

    private SourceLines() {
    }

    static SourceLines scan(String text, String left, String right) {
        SourceLines lines = new SourceLines();
        lines.read(text, left, right);
        return lines;
    }

    /** True if parser line {@code parserLine} is a standalone comment or set-delimiter line. */
    boolean isStandalone(int parserLine) {
        return standalone.contains(parserLine);
    }

    /** The real line for a parser line. */
    int realLine(int parserLine) {
        return parserLine >= 1 && parserLine < realLines.size() ? realLines.get(parserLine) : parserLine;
    }

    /** The real line of the tag {@code name} the parser reported at {@code parserLine}. */
    int realLine(int parserLine, String name) {
        return tags.stream()
                .filter(t -> t.parserLine() == parserLine && t.names(name))
                .mapToInt(Tag::realLine)
                .findFirst()
                .orElse(realLine(parserLine));
    }

    private void read(String text, String left, String right) {
        int parserLine = 1;
        int realLine = 1;
        int lineStart = 0;          // where the current line's text starts (outside tags)
        boolean tagOnLine = false;  // the parser has seen a tag on its current line
        String sm = left;
        String em = right;
        int pos = 0;
        while (pos < text.length()) {
            int start = text.indexOf(sm, pos);
            int textEnd = start < 0 ? text.length() : start;
            for (int i = pos; i < textEnd; i++) {
                if (text.charAt(i) == '\n') {
                    realLines.add(++realLine);
                    parserLine++;
                    lineStart = i + 1;
                    tagOnLine = false;
                }
            }
            if (start < 0) {
                return;
            }
            int contentStart = start + sm.length();
            String[] delimiters = null;
            int searchFrom = contentStart;
            if (text.startsWith("=", contentStart)) {
                // The parser reads a set-delimiter tag up to its second '=', then to the end delimiter.
                int definitionEnd = text.indexOf('=', contentStart + 1);
                if (definitionEnd < 0) {
                    return;
                }
                delimiters = text.substring(contentStart + 1, definitionEnd).trim().split("\\s+");
                searchFrom = definitionEnd + 1;
            }
            int close = text.indexOf(em, searchFrom);
            if (close < 0 || close == contentStart || (delimiters != null && delimiters.length != 2)) {
                return; // unclosed, empty or invalid: the parser reports it
            }
            String content = text.substring(contentStart, close);
            int end = close + em.length();
            char type = content.charAt(0);
            if (type == '{' && em.equals("}}") && text.startsWith("}", end)) {
                end++; // triple mustache
            }
            boolean startsLine = !tagOnLine && isBlank(text, lineStart, start);
            tags.add(new Tag(type, content, parserLine, realLine));
            if ((type == '!' || type == '=') && startsLine && restOfLineIsBlank(text, end)) {
                standalone.add(parserLine);
            }
            if (delimiters != null) {
                sm = delimiters[0];
                em = delimiters[1];
            }
            realLine += (int) content.chars().filter(c -> c == '\n').count();
            tagOnLine = true;
            pos = end;
            if (type == '>' && startsLine) {
                // The parser drops the newline right after a standalone partial without counting it;
                // what follows continues its line.
                int next = text.startsWith("\r", pos) ? pos + 1 : pos;
                if (text.startsWith("\n", next)) {
                    realLine++;
                    pos = next + 1;
                    lineStart = pos;
                }
            }
        }
    }

    private static boolean restOfLineIsBlank(String text, int from) {
        int i = from;
        while (i < text.length() && isBlank(text.charAt(i))) {
            i++;
        }
        return i == text.length() || text.charAt(i) == '\n';
    }

    private static boolean isBlank(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isBlank(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Blanks as the parser sees them ('\r' only ever before '\n'). */
    static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }
}

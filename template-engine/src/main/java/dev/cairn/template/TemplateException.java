package dev.cairn.template;

/**
 * A template that cannot be used, reported as {@code FILE:LINE: message} (TEMPLATES.md, "Errors"),
 * or {@code FILE: message} when no line applies. The CLI prints {@link #getMessage()} as is.
 */
public final class TemplateException extends Exception {

    private final String file;
    private final int line;
    private final String problem;

    public TemplateException(String file, int line, String problem) {
        super(line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    TemplateException(String file, int line, String problem, Throwable cause) {
        this(file, line, problem);
        initCause(cause);
    }

    /** The template or partial file the error is in, as it was named when loading. */
    public String file() {
        return file;
    }

    /** The 1-based line, or 0 when the error is not tied to one. */
    public int line() {
        return line;
    }

    /** The message without the {@code FILE:LINE: } prefix. */
    public String problem() {
        return problem;
    }
}

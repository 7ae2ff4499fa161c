package dev.cairn.template;

/**
 * A load-time error found while Mustache.java compiles, carried out through its call stack
 * (which only lets unchecked exceptions pass) to become a {@link TemplateException}. The line is
 * the real one (see {@link SourceLines}).
 */
final class LoadError extends RuntimeException {

    final String file;
    final int line;

    LoadError(String file, int line, String message) {
        super(message, null, false, false);
        this.file = file;
        this.line = line;
    }
}

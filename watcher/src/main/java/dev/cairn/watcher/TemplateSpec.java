package dev.cairn.watcher;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code -template SOURCE:DESTINATION[:COMMAND]}, as consul-template spells it: the template
 * file, the file to write, and an optional shell command run after the file changed. Only the
 * first two colons separate, so the command may contain colons of its own
 * ({@code in:out:curl -X POST http://127.0.0.1:8080/reload}).
 *
 * @param command the shell command, or "" for none
 */
public record TemplateSpec(Path source, Path destination, String command) {

    private static final String FORM = "SOURCE:DESTINATION[:COMMAND]";

    public TemplateSpec {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        command = command == null ? "" : command.strip();
    }

    /**
     * Parses a {@code -template} value.
     *
     * @throws IllegalArgumentException naming the value and the expected form
     */
    public static TemplateSpec parse(String spec) {
        int first = spec.indexOf(':');
        if (first < 0) {
            throw bad(spec, "no destination");
        }
        int second = spec.indexOf(':', first + 1);
        String source = spec.substring(0, first);
        String destination = second < 0 ? spec.substring(first + 1) : spec.substring(first + 1, second);
        String command = second < 0 ? "" : spec.substring(second + 1);
        if (source.isBlank()) {
            throw bad(spec, "empty source");
        }
        if (destination.isBlank()) {
            throw bad(spec, "empty destination");
        }
        try {
            return new TemplateSpec(Path.of(source), Path.of(destination), command);
        } catch (InvalidPathException e) {
            throw bad(spec, e.getMessage());
        }
    }

    public Optional<String> commandIfAny() {
        return command.isEmpty() ? Optional.empty() : Optional.of(command);
    }

    private static IllegalArgumentException bad(String spec, String problem) {
        return new IllegalArgumentException("-template \"" + spec + "\": " + problem + " (expected " + FORM + ")");
    }

    @Override
    public String toString() {
        return source + ":" + destination + (command.isEmpty() ? "" : ":" + command);
    }
}

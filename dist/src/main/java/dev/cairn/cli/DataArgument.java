package dev.cairn.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A data argument as Consul's CLI reads it ({@code helpers.LoadDataSource}): {@code @file} is the
 * file's bytes, {@code -} is all of stdin, anything else is the text itself. Kept as bytes so
 * binary values round-trip.
 */
final class DataArgument {

    private DataArgument() {
    }

    /** Thrown for a file or stdin that cannot be read; the message is one line. */
    static final class UnreadableException extends Exception {
        UnreadableException(String message) {
            super(message);
        }
    }

    static byte[] load(String arg, Io io) throws UnreadableException {
        if (arg.isEmpty()) {
            return new byte[0];
        }
        if (arg.charAt(0) == '@') {
            Path file = Path.of(arg.substring(1));
            try {
                return Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                throw new UnreadableException("Failed to read file: " + file + ": no such file");
            } catch (IOException e) {
                throw new UnreadableException("Failed to read file: " + file + ": " + e.getMessage());
            }
        }
        if (arg.equals("-")) {
            try {
                return io.in().readAllBytes();
            } catch (IOException e) {
                throw new UnreadableException("Failed to read stdin: " + e.getMessage());
            }
        }
        return arg.getBytes(StandardCharsets.UTF_8);
    }
}

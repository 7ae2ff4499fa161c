package dev.cairn.cli;

/** Bad flags or arguments that picocli itself cannot see (exit code 2). */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}

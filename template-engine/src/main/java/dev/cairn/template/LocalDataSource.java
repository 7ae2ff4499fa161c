package dev.cairn.template;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers {@code env:} and {@code file:} queries from this machine. The environment is injected
 * so tests do not depend on the real one.
 */
final class LocalDataSource implements DataSource {

    private final Map<String, String> environment;

    LocalDataSource(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public Optional<? extends List<?>> get(Query query) {
        switch (query.kind()) {
            case ENV -> {
                String value = environment.get(query.argument());
                return Optional.of(value == null ? List.of() : List.of(value));
            }
            case FILE -> {
                try {
                    return Optional.of(List.of(Files.readString(Path.of(query.argument()), StandardCharsets.UTF_8)));
                } catch (NoSuchFileException e) {
                    return Optional.of(List.of());
                } catch (IOException e) {
                    // Unreadable for now (permissions, a directory, bad UTF-8): hold the template back
                    // rather than write it with the file left out; the watcher retries on change.
                    return Optional.empty();
                }
            }
            default -> {
                return Optional.empty();
            }
        }
    }
}

package dev.cairn.watcher;

import java.util.List;

/**
 * A run of templates that failed, with one line per problem, each naming its subject
 * ({@code in.ctmpl:3: unknown query kind ...}, {@code out.conf: folder /etc/x is not writable}).
 * The CLI prints each line and exits 1.
 */
public final class RunException extends Exception {

    private final List<String> problems;

    RunException(List<String> problems) {
        super(String.join("\n", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a RunException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    RunException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}

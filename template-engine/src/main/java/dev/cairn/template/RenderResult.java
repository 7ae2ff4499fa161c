package dev.cairn.template;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What one render produced.
 *
 * @param output       the rendered text
 * @param dependencies every query the render touched, in first-touched order: what a watcher
 *                     must keep watching for this template
 * @param waitingFor   the touched queries the source had no data for yet
 * @param missingKeys  {@code key:} queries without a default whose key does not exist
 */
public record RenderResult(String output, Set<Query> dependencies, Set<Query> waitingFor, Set<Query> missingKeys) {

    public RenderResult {
        dependencies = frozen(dependencies);
        waitingFor = frozen(waitingFor);
        missingKeys = frozen(missingKeys);
    }

    /**
     * True when the output may be written: every touched query had data and no required key was
     * missing (TEMPLATES.md: {@code key:PATH} waits for the key).
     */
    public boolean complete() {
        return waitingFor.isEmpty() && missingKeys.isEmpty();
    }

    private static Set<Query> frozen(Set<Query> queries) {
        return Collections.unmodifiableSet(new LinkedHashSet<>(queries));
    }
}

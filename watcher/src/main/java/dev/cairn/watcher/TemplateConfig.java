package dev.cairn.watcher;

import dev.cairn.template.Template;
import dev.cairn.template.TemplateEngine;
import dev.cairn.template.TemplateException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One template as the daemon runs it: a {@code -template} flag, or a {@code template} block of a
 * config file (consul-template's keys, snake_case in the file). Every value is resolved: defaults
 * are filled in by {@link DaemonConfig.Builder}.
 *
 * @param source            the template file, or null when {@code contents} holds the template
 * @param contents          the template text itself, or null when it is read from {@code source}
 * @param destination       the file to write
 * @param command           shell command run after the destination changed; "" for none
 * @param commandTimeout    how long {@code command} and {@code checkCommand} may run before they are killed
 * @param checkCommand      shell command run on the rendered temp file (its path in {@code CAIRN_RENDERED})
 *                          before it replaces the destination; "" for none. Failing keeps the old file.
 * @param perms             mode for the destination, or null to keep an existing file's and give new ones
 *                          the daemon's default ({@code -perms})
 * @param backup            keep the previous destination as {@code DEST.bak}
 * @param quiescence        ({@code wait}) this template's quiescence, or null for the daemon's
 * @param createDestDirs    create missing folders above the destination
 * @param leftDelimiter     Mustache's opening delimiter, {@code {{} unless set
 * @param rightDelimiter    Mustache's closing delimiter, {@code }}} unless set
 * @param errorOnMissingKey a missing {@code key:} without default is an error instead of a wait
 */
public record TemplateConfig(Path source, String contents, Path destination, String command, Duration commandTimeout,
                             String checkCommand, Integer perms, boolean backup, DaemonConfig.Wait quiescence,
                             boolean createDestDirs, String leftDelimiter, String rightDelimiter,
                             boolean errorOnMissingKey) {

    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);

    public TemplateConfig {
        if ((source == null) == (contents == null)) {
            throw new IllegalArgumentException(source == null ? "a template needs a source or contents"
                    : "a template has a source or contents, not both");
        }
        Objects.requireNonNull(destination, "a template needs a destination");
        command = command == null ? "" : command.strip();
        checkCommand = checkCommand == null ? "" : checkCommand.strip();
        commandTimeout = commandTimeout == null ? DEFAULT_COMMAND_TIMEOUT : commandTimeout;
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("command timeout must be positive, not " + DurationText.format(commandTimeout));
        }
        if (perms != null) {
            AtomicFileWriter.permissions(perms); // validates
        }
        leftDelimiter = leftDelimiter == null ? "{{" : leftDelimiter;
        rightDelimiter = rightDelimiter == null ? "}}" : rightDelimiter;
        if (!leftDelimiter.equals("{{") || !rightDelimiter.equals("}}")) {
            new TemplateEngine().withDelimiters(leftDelimiter, rightDelimiter); // validates
        }
    }

    /** A {@code -template SOURCE:DEST[:COMMAND]} with every other setting at its default. */
    public static TemplateConfig of(TemplateSpec spec) {
        return of(spec, DEFAULT_COMMAND_TIMEOUT);
    }

    static TemplateConfig of(TemplateSpec spec, Duration commandTimeout) {
        return new TemplateConfig(spec.source(), null, spec.destination(), spec.command(), commandTimeout, "",
                null, false, null, true, null, null, false);
    }

    /**
     * What logs and errors call this template: its source path, or for inline {@code contents}
     * {@code <contents of DEST>} (without a slash: partials are then found in the working directory).
     */
    public String name() {
        return source != null ? source.toString() : "<contents of " + destination.getFileName() + ">";
    }

    /** Loads the template with its delimiters; errors name {@code FILE:LINE}. */
    Template compile() throws TemplateException {
        TemplateEngine engine = new TemplateEngine();
        if (!leftDelimiter.equals("{{") || !rightDelimiter.equals("}}")) {
            engine = engine.withDelimiters(leftDelimiter, rightDelimiter);
        }
        return source != null ? engine.compile(source) : engine.compile(name(), contents);
    }

    /** A template block being read: settings left null take the daemon's defaults. */
    static final class Draft {
        /** Where it came from, for errors: {@code daemon.json: template[2]} or {@code -template a:b}. */
        final String origin;
        Path source;
        String contents;
        Path destination;
        String command;
        Duration commandTimeout;
        String checkCommand;
        Integer perms;
        boolean backup;
        DaemonConfig.Wait quiescence;
        boolean createDestDirs = true;
        String leftDelimiter;
        String rightDelimiter;
        boolean errorOnMissingKey;

        Draft(String origin) {
            this.origin = origin;
        }

        TemplateConfig build(Duration defaultCommandTimeout) {
            if (destination == null) {
                throw new IllegalArgumentException(origin + ": missing destination");
            }
            try {
                return new TemplateConfig(source, contents, destination, command,
                        commandTimeout != null ? commandTimeout : defaultCommandTimeout, checkCommand, perms, backup,
                        quiescence, createDestDirs, leftDelimiter, rightDelimiter, errorOnMissingKey);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString() {
        return name() + ":" + destination + (command.isEmpty() ? "" : ":" + command);
    }
}

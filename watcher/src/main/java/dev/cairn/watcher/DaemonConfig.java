package dev.cairn.watcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the template daemon runs with: its templates and the global settings, in
 * consul-template's shape. Built by {@link Builder} from config files ({@code -config}, JSON or
 * YAML, applied in order: later files win) and then flags (which win over files); templates from
 * every file and every {@code -template} flag add up. Every value is checked when it is read, so
 * a bad one stops the command before anything runs, with a message naming the file and key.
 *
 * @param templates      what to render, in order
 * @param quiescence     ({@code wait}) quiescence for templates without their own: render {@code min} after the last
 *                       change, but at most {@code max} after the first; {@link Wait#OFF} by default
 * @param maxStale       how old a stale read may be ({@code ?stale}, any server answers); 0 disables stale
 * @param blockQueryWait how long the server may hold each blocking query
 * @param retry          how to retry a query whose server cannot be reached
 * @param logLevel       trace, debug, info, warn or err
 * @param pidFile        where to write the process id while running, or null
 * @param killSignal     the signal that stops the daemon (besides SIGINT and SIGTERM), e.g. {@code SIGINT}
 * @param reloadSignal   the signal that reloads the config files, e.g. {@code SIGHUP}
 * @param consulAddress  the server's address from a file ({@code consul.address}), or null
 * @param consulToken    the ACL token from a file ({@code consul.token}), or null
 * @param newFilePerms   mode of destinations that do not exist yet, for templates without {@code perms}
 * @param exec           the child process to supervise ({@code -exec}), or null
 * @param statusAddr     where to serve {@code /health} and {@code /metrics} ({@code -status-addr}, HOST:PORT), or null
 */
public record DaemonConfig(List<TemplateConfig> templates, Wait quiescence, Duration maxStale, Duration blockQueryWait,
                           Retry retry, String logLevel, Path pidFile, String killSignal, String reloadSignal,
                           String consulAddress, String consulToken, int newFilePerms, Exec exec, String statusAddr) {

    public static final Duration DEFAULT_MAX_STALE = Duration.ofSeconds(2);
    public static final Duration DEFAULT_BLOCK_QUERY_WAIT = Duration.ofSeconds(60);
    public static final int DEFAULT_PERMS = 0644;
    static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "err", "error");
    static final Set<String> SIGNALS = Set.of("HUP", "INT", "TERM", "USR1", "USR2");

    public DaemonConfig {
        templates = List.copyOf(templates);
        Objects.requireNonNull(quiescence, "quiescence");
        Objects.requireNonNull(retry, "retry");
        AtomicFileWriter.permissions(newFilePerms);
    }

    /** Without {@code -exec} or {@code -status-addr}. */
    public DaemonConfig(List<TemplateConfig> templates, Wait quiescence, Duration maxStale, Duration blockQueryWait,
                        Retry retry, String logLevel, Path pidFile, String killSignal, String reloadSignal,
                        String consulAddress, String consulToken, int newFilePerms) {
        this(templates, quiescence, maxStale, blockQueryWait, retry, logLevel, pidFile, killSignal, reloadSignal,
                consulAddress, consulToken, newFilePerms, null, null);
    }

    /** This config with another {@code exec} block (null: none). */
    public DaemonConfig withExec(Exec e) {
        return new DaemonConfig(templates, quiescence, maxStale, blockQueryWait, retry, logLevel, pidFile, killSignal,
                reloadSignal, consulAddress, consulToken, newFilePerms, e, statusAddr);
    }

    /**
     * The {@code exec} block: a child process started once every template has been rendered
     * (consul-template's exec mode), see {@link ExecSupervisor}.
     *
     * @param command      the argv; a command given as one string is {@code /bin/sh -c STRING}
     * @param reloadSignal sent to the child when an output changed ({@code HUP}, ...); null: restart it instead
     * @param killSignal   sent to stop the child (for a restart, or when the daemon stops)
     * @param killTimeout  how long the child has to exit after {@code killSignal} before SIGKILL
     */
    public record Exec(List<String> command, String reloadSignal, String killSignal, Duration killTimeout) {

        public static final Duration DEFAULT_KILL_TIMEOUT = Duration.ofSeconds(30);

        public Exec {
            command = List.copyOf(command);
            if (command.isEmpty() || command.get(0).isBlank()) {
                throw new IllegalArgumentException("exec needs a command");
            }
            Objects.requireNonNull(killSignal, "killSignal");
            if (killTimeout.isNegative() || killTimeout.isZero()) {
                throw new IllegalArgumentException("exec kill_timeout must be positive");
            }
        }

        /** {@code /bin/sh -c COMMAND}. */
        public static List<String> shell(String command) {
            return List.of("/bin/sh", "-c", command);
        }
    }

    /** The quiescence a template waits for: its own, else the daemon's. */
    Wait waitFor(TemplateConfig template) {
        return template.quiescence() != null ? template.quiescence() : quiescence;
    }

    /**
     * Quiescence: after a change, render {@code min} after the last change, but no later than
     * {@code max} after the first, so a burst of changes makes one render and a steady stream of
     * changes still renders every {@code max}.
     */
    public record Wait(Duration min, Duration max) {

        public static final Wait OFF = new Wait(Duration.ZERO, Duration.ZERO);

        public Wait {
            if (min.isNegative() || max.isNegative()) {
                throw new IllegalArgumentException("wait must not be negative");
            }
            if (min.compareTo(max) > 0) {
                throw new IllegalArgumentException("min " + DurationText.format(min) + " is more than max "
                        + DurationText.format(max));
            }
        }

        /**
         * {@code MIN:MAX} or {@code MIN} (then max is 4 x min, as consul-template does); {@code 0}
         * turns waiting off.
         */
        public static Wait parse(String text) {
            String s = text == null ? "" : text.strip();
            int colon = s.indexOf(':');
            if (colon < 0) {
                Duration min = DurationText.parse(s);
                return new Wait(min, min.multipliedBy(4));
            }
            return new Wait(DurationText.parse(s.substring(0, colon)), DurationText.parse(s.substring(colon + 1)));
        }

        boolean off() {
            return max.isZero();
        }

        @Override
        public String toString() {
            return DurationText.format(min) + ":" + DurationText.format(max);
        }
    }

    /**
     * Retries of a query whose server cannot be reached: the n-th waits about
     * {@code backoff * 2^(n-1)}, at most {@code maxBackoff}, with jitter.
     *
     * @param attempts how many failures in a row before the daemon gives up; 0 retries forever
     */
    public record Retry(int attempts, Duration backoff, Duration maxBackoff) {

        public static final Retry DEFAULT = new Retry(0, Duration.ofMillis(250), Duration.ofMinutes(1));

        public Retry {
            if (attempts < 0) {
                throw new IllegalArgumentException("attempts must be 0 (forever) or more, not " + attempts);
            }
            if (backoff.isNegative() || backoff.isZero()) {
                throw new IllegalArgumentException("backoff must be positive");
            }
            if (maxBackoff.compareTo(backoff) < 0) {
                throw new IllegalArgumentException("max_backoff " + DurationText.format(maxBackoff)
                        + " is less than backoff " + DurationText.format(backoff));
            }
        }
    }

    /** {@code SIGHUP}, {@code sighup} or {@code HUP} as {@code HUP}, the name {@code sun.misc.Signal} takes. */
    static String signalName(String text) {
        String s = text.strip().toUpperCase(Locale.ROOT);
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        if (!SIGNALS.contains(s)) {
            throw new IllegalArgumentException("unknown or unusable signal \"" + text
                    + "\" (use SIGHUP, SIGINT, SIGTERM, SIGUSR1 or SIGUSR2)");
        }
        return s;
    }

    /**
     * Collects settings from files, then flags, and checks the result. Later calls win for single
     * values; templates add up.
     */
    public static final class Builder {

        final List<TemplateConfig.Draft> drafts = new ArrayList<>();
        Wait quiescence = Wait.OFF;
        Duration maxStale = DEFAULT_MAX_STALE;
        Duration blockQueryWait = DEFAULT_BLOCK_QUERY_WAIT;
        Retry retry = Retry.DEFAULT;
        String logLevel = "info";
        Path pidFile;
        String killSignal = "INT";
        String reloadSignal = "HUP";
        String consulAddress;
        String consulToken;
        int newFilePerms = DEFAULT_PERMS;
        Duration commandTimeout = TemplateConfig.DEFAULT_COMMAND_TIMEOUT;
        List<String> execCommand;
        String execReloadSignal;
        String execKillSignal = "TERM";
        Duration execKillTimeout = Exec.DEFAULT_KILL_TIMEOUT;
        String statusAddr;

        /**
         * Reads a config file ({@code .json}, {@code .yaml} or {@code .yml}) over what is set so far.
         *
         * @throws IllegalArgumentException naming the file and key for anything unknown or invalid
         */
        public Builder file(Path file) {
            ConfigFile.apply(file, this);
            return this;
        }

        /** A {@code -template} flag. */
        public Builder template(TemplateSpec spec) {
            TemplateConfig.Draft d = new TemplateConfig.Draft("-template " + spec);
            d.source = spec.source();
            d.destination = spec.destination();
            d.command = spec.command();
            drafts.add(d);
            return this;
        }

        /** The daemon's {@code wait} ({@code -wait}). */
        public Builder quiescence(Wait wait) {
            this.quiescence = Objects.requireNonNull(wait);
            return this;
        }

        public Builder maxStale(Duration maxStale) {
            if (maxStale.isNegative()) {
                throw new IllegalArgumentException("max stale must not be negative");
            }
            this.maxStale = maxStale;
            return this;
        }

        public Builder blockQueryWait(Duration wait) {
            if (wait.isNegative() || wait.isZero()) {
                throw new IllegalArgumentException("block query wait must be positive");
            }
            this.blockQueryWait = wait;
            return this;
        }

        public Builder logLevel(String level) {
            String l = level.strip().toLowerCase(Locale.ROOT);
            if (!LOG_LEVELS.contains(l)) {
                throw new IllegalArgumentException("unknown log level \"" + level + "\" (use trace, debug, info, warn or err)");
            }
            this.logLevel = l.equals("error") ? "err" : l;
            return this;
        }

        public Builder pidFile(Path pidFile) {
            this.pidFile = pidFile;
            return this;
        }

        public Builder killSignal(String signal) {
            this.killSignal = signalName(signal);
            return this;
        }

        public Builder reloadSignal(String signal) {
            this.reloadSignal = signalName(signal);
            return this;
        }

        /** {@code -exec}: a shell command ({@code /bin/sh -c}). */
        public Builder exec(String command) {
            if (command == null || command.isBlank()) {
                throw new IllegalArgumentException("exec command is empty");
            }
            this.execCommand = Exec.shell(command);
            return this;
        }

        /** {@code -exec-reload-signal}; empty: restart the child on a change instead. */
        public Builder execReloadSignal(String signal) {
            this.execReloadSignal = signal == null || signal.isBlank() ? null : signalName(signal);
            return this;
        }

        public Builder execKillSignal(String signal) {
            this.execKillSignal = signalName(signal);
            return this;
        }

        public Builder execKillTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("exec kill timeout must be positive");
            }
            this.execKillTimeout = timeout;
            return this;
        }

        /** {@code -status-addr HOST:PORT}. */
        public Builder statusAddr(String address) {
            StatusServer.parseAddress(address);
            this.statusAddr = address.strip();
            return this;
        }

        /** Mode of new destinations for templates without {@code perms} ({@code -perms}). */
        public Builder newFilePerms(int mode) {
            AtomicFileWriter.permissions(mode);
            this.newFilePerms = mode;
            return this;
        }

        /** Command timeout for templates without {@code command_timeout} ({@code -command-timeout}). */
        public Builder commandTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("command timeout must be positive");
            }
            this.commandTimeout = timeout;
            return this;
        }

        /**
         * The config.
         *
         * @throws IllegalArgumentException when there is no template, or a template is incomplete
         *                                  (naming where it came from)
         */
        public DaemonConfig build() {
            if (drafts.isEmpty()) {
                throw new IllegalArgumentException(
                        "no template given: use -template SOURCE:DEST[:COMMAND] or a template block in -config");
            }
            List<TemplateConfig> templates = new ArrayList<>();
            for (TemplateConfig.Draft d : drafts) {
                templates.add(d.build(commandTimeout));
            }
            if (killSignal.equals(reloadSignal)) {
                throw new IllegalArgumentException("kill_signal and reload_signal are both SIG" + killSignal);
            }
            Exec exec = execCommand == null ? null
                    : new Exec(execCommand, execReloadSignal, execKillSignal, execKillTimeout);
            return new DaemonConfig(templates, quiescence, maxStale, blockQueryWait, retry, logLevel, pidFile, killSignal,
                    reloadSignal, consulAddress, consulToken, newFilePerms, exec, statusAddr);
        }
    }
}

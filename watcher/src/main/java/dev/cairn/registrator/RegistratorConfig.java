package dev.cairn.registrator;

import java.time.Duration;
import java.util.List;

/**
 * Everything {@code cairn registrator}'s flags decide, checked whole when built (Registrator's own
 * rules: {@code -ttl} and {@code -ttl-refresh} together, the TTL above the refresh, a positive retry
 * interval), so a bad combination stops the command before anything is registered.
 *
 * @param hostname      the first part of every service id this registrator owns ({@code HOST:CONTAINER:PORT})
 * @param hostIp        {@code -ip}: the address every service gets, or null to use each port's binding
 * @param defaultIp     the address for ports bound to all addresses ({@code 0.0.0.0}) when there is no -ip
 * @param internal      {@code -internal}: the container's own address and exposed port, not the published one
 * @param explicit      {@code -explicit}: only containers (or ports) with a SERVICE_NAME
 * @param tags          {@code -tags}: added to every service
 * @param resync        {@code -resync}: a full resync this often; zero for none
 * @param cleanup       {@code -cleanup}: remove services this host owns whose container is gone
 * @param deregister    {@code -deregister}: when a container dies
 * @param retryAttempts {@code -retry-attempts}: tries to reach Cairn at start-up after the first; -1 forever
 * @param retryInterval {@code -retry-interval}: between those tries, and between retries of a failed sync
 * @param ttl           {@code -ttl}: a TTL check on every service, zero for none
 * @param ttlRefresh    {@code -ttl-refresh}: how often those TTL checks are passed
 */
public record RegistratorConfig(String hostname, String hostIp, String defaultIp, boolean internal, boolean explicit,
                                List<String> tags, Duration resync, boolean cleanup, Deregister deregister,
                                int retryAttempts, Duration retryInterval, Duration ttl, Duration ttlRefresh) {

    /** {@code -deregister}: {@code always}, or {@code on-success} (only when the exit code is 0 or a signal). */
    public enum Deregister {
        ALWAYS, ON_SUCCESS;

        public static Deregister parse(String text) {
            return switch (text) {
                case "always" -> ALWAYS;
                case "on-success" -> ON_SUCCESS;
                default -> throw new IllegalArgumentException("-deregister must be \"always\" or \"on-success\", not \""
                        + text + "\"");
            };
        }
    }

    public RegistratorConfig {
        if (hostname == null || hostname.isBlank() || hostname.contains(":")) {
            throw new IllegalArgumentException("host name \"" + hostname + "\" cannot start a service id");
        }
        tags = List.copyOf(tags);
        if (resync.isNegative()) {
            throw new IllegalArgumentException("-resync must be 0 or more seconds, not " + resync.toSeconds());
        }
        if (retryAttempts < -1) {
            throw new IllegalArgumentException("-retry-attempts must be -1 (forever) or more, not " + retryAttempts);
        }
        if (retryInterval.isNegative() || retryInterval.isZero()) {
            throw new IllegalArgumentException("-retry-interval must be greater than 0");
        }
        if (ttl.isNegative() || ttlRefresh.isNegative()) {
            throw new IllegalArgumentException("-ttl and -ttl-refresh must not be negative");
        }
        if (ttl.isZero() != ttlRefresh.isZero()) {
            throw new IllegalArgumentException("-ttl and -ttl-refresh must be specified together or not at all");
        }
        if (!ttl.isZero() && ttl.compareTo(ttlRefresh) <= 0) {
            throw new IllegalArgumentException("-ttl must be greater than -ttl-refresh");
        }
    }
}

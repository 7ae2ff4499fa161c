package dev.cairn.store.catalog;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/** A health check on a node, or on one service instance when {@code serviceId} is set. */
public record HealthCheck(String node, String checkId, String name, String status, String notes, String output,
                          String serviceId, String serviceName, List<String> serviceTags,
                          CheckDefinition definition, long createIndex, long modifyIndex) {

    public static final String PASSING = "passing";
    public static final String WARNING = "warning";
    public static final String CRITICAL = "critical";
    public static final String MAINTENANCE = "maintenance";
    /**
     * In a registration only: no Status was given, so an existing check keeps its status and
     * output (as a Consul agent does on re-registration) and a new one starts critical.
     */
    public static final String UNCHANGED = "";

    public HealthCheck {
        notes = notes == null ? "" : notes;
        output = output == null ? "" : output;
        serviceId = serviceId == null ? "" : serviceId;
        serviceName = serviceName == null ? "" : serviceName;
        serviceTags = serviceTags == null ? List.of() : List.copyOf(serviceTags);
        definition = definition == null ? CheckDefinition.NONE : definition;
    }

    public static boolean validStatus(String s) {
        return PASSING.equals(s) || WARNING.equals(s) || CRITICAL.equals(s);
    }

    @JsonIgnore
    public boolean isMaintenance() {
        return checkId.equals("_node_maintenance") || checkId.startsWith("_service_maintenance:");
    }

    boolean sameAs(HealthCheck o) {
        return o != null && name.equals(o.name) && status.equals(o.status) && notes.equals(o.notes)
                && output.equals(o.output) && serviceId.equals(o.serviceId) && serviceName.equals(o.serviceName)
                && serviceTags.equals(o.serviceTags) && definition.equals(o.definition);
    }

    HealthCheck with(String newStatus, String newOutput) {
        return new HealthCheck(node, checkId, name, newStatus, notes, newOutput, serviceId, serviceName, serviceTags,
                definition, createIndex, modifyIndex);
    }

    HealthCheck indexed(long create, long modify) {
        return new HealthCheck(node, checkId, name, status, notes, output, serviceId, serviceName, serviceTags,
                definition, create, modify);
    }

    HealthCheck forService(ServiceInstance s) {
        return new HealthCheck(node, checkId, name, status, notes, output, serviceId, s.service(), s.tags(),
                definition, createIndex, modifyIndex);
    }

    /**
     * Consul's aggregate (api.HealthChecks.AggregatedStatus): any maintenance check wins, then
     * critical, then warning; no checks at all is passing.
     */
    public static String aggregate(List<HealthCheck> checks) {
        boolean warning = false;
        boolean critical = false;
        for (HealthCheck c : checks) {
            if (c.isMaintenance()) {
                return MAINTENANCE;
            }
            critical |= CRITICAL.equals(c.status);
            warning |= WARNING.equals(c.status);
        }
        return critical ? CRITICAL : warning ? WARNING : PASSING;
    }
}

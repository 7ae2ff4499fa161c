package dev.cairn.store.catalog;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;

/** Catalog changes carried by the Raft log (encoded as JSON: they are few and varied). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = CatalogCommand.Register.class, name = "register"),
        @JsonSubTypes.Type(value = CatalogCommand.Deregister.class, name = "deregister"),
        @JsonSubTypes.Type(value = CatalogCommand.UpdateCheck.class, name = "update-check")})
public sealed interface CatalogCommand {

    /**
     * Upserts a node and, optionally, one service and some checks on it (catalog/register). With
     * {@code replaceServiceChecks}, the service's checks not listed are removed (the agent's
     * {@code ?replace-existing-checks}).
     */
    record Register(Node node, ServiceInstance service, List<HealthCheck> checks, boolean skipNodeUpdate,
                    boolean replaceServiceChecks) implements CatalogCommand {
        public Register {
            checks = checks == null ? List.of() : List.copyOf(checks);
        }
    }

    /** Removes a check, a service (with its checks) or, with neither given, the whole node. */
    record Deregister(String node, String serviceId, String checkId) implements CatalogCommand {
    }

    /** A check's new status and output, written only when one of them changed. */
    record UpdateCheck(String node, String checkId, String status, String output) implements CatalogCommand {
    }

    /** What applying a catalog command gives back: success, or the reason it was refused. */
    record Result(boolean ok, String error) {
        public static final Result OK = new Result(true, "");

        public static Result refused(String error) {
            return new Result(false, error);
        }
    }
}

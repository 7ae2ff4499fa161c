package dev.cairn.store.session;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Session changes carried by the Raft log (encoded as JSON, like catalog commands). The session
 * ID is chosen by the HTTP handler before proposing, so every replica applies the same one.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = SessionCommand.Create.class, name = "create"),
        @JsonSubTypes.Type(value = SessionCommand.Destroy.class, name = "destroy")})
public sealed interface SessionCommand {

    /** Creates a session; refused unless its node exists and none of its checks is missing or critical. */
    record Create(Session session) implements SessionCommand {
    }

    /** Invalidates a session (an explicit destroy, or the leader expiring its TTL); unknown IDs are fine. */
    record Destroy(String id) implements SessionCommand {
    }

    /** What applying a session command gives back: success, or the reason it was refused. */
    record Result(boolean ok, String error) {
        public static final Result OK = new Result(true, "");

        public static Result refused(String error) {
            return new Result(false, error);
        }
    }
}

package dev.cairn.store.session;

import dev.cairn.store.agent.SelfNode;
import dev.cairn.store.http.ApiException;
import dev.cairn.store.http.GoDuration;
import dev.cairn.store.http.RequestJson;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code PUT /v1/session/create} body the way Consul's session endpoint does, defaults
 * included: this server's node, the {@code serfHealth} check, a 15 s lock-delay, {@code release}.
 * Checks against the catalog (node and checks exist, none critical) happen when the command is
 * applied, against the state it is applied to.
 */
final class NewSession {

    static final Duration DEFAULT_LOCK_DELAY = Duration.ofSeconds(15);
    static final Duration MAX_LOCK_DELAY = Duration.ofSeconds(60);
    static final Duration MAX_TTL = Duration.ofSeconds(86400);
    /** Consul's lockDelayMinThreshold: a bare number below it is seconds, else nanoseconds. */
    static final long LOCK_DELAY_SECONDS_BELOW = 1000;

    private NewSession() {
    }

    static Session parse(RequestJson body, String id, String defaultNode, Duration minTtl) {
        String node = body.text("Node");
        String behavior = body.text("Behavior");
        if (behavior.isEmpty()) {
            behavior = Session.RELEASE;
        } else if (!behavior.equals(Session.RELEASE) && !behavior.equals(Session.DELETE)) {
            throw ApiException.badRequest("Invalid Behavior setting '" + behavior + "': use \"release\" or \"delete\"");
        }
        String ttl = body.text("TTL");
        checkTtl(ttl, minTtl);
        return new Session(id, body.text("Name"), node.isEmpty() ? defaultNode : node,
                lockDelay(body.text("LockDelay")).toNanos(), behavior, ttl, nodeChecks(body), serviceChecks(body), 0, 0);
    }

    /**
     * Consul's default is {@code serfHealth}; a body naming Checks or NodeChecks replaces it, and an
     * empty list means no checks (how kiwi and TTL-only clients ask for none). Checks is the
     * pre-1.7 name for node checks.
     */
    private static List<String> nodeChecks(RequestJson body) {
        if (!body.has("Checks") && !body.has("NodeChecks")) {
            return List.of(SelfNode.SERF_HEALTH);
        }
        List<String> out = new ArrayList<>();
        for (String c : concat(body.strings("Checks"), body.strings("NodeChecks"))) {
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<Session.ServiceCheck> serviceChecks(RequestJson body) {
        List<Session.ServiceCheck> out = new ArrayList<>();
        for (RequestJson c : body.objects("ServiceChecks")) {
            String id = c.text("ID");
            if (id.isEmpty()) {
                throw ApiException.badRequest("Invalid ServiceChecks: each entry needs an ID");
            }
            out.add(new Session.ServiceCheck(id, c.text("Namespace")));
        }
        return out;
    }

    /**
     * A duration string, or a number: below 1000 it is seconds, else nanoseconds (Ecwid sends its
     * seconds as a number, Go's api a duration string); capped at 60 s, as Consul does.
     */
    static Duration lockDelay(String v) {
        if (v.isEmpty()) {
            return DEFAULT_LOCK_DELAY;
        }
        Duration d;
        Double number = number(v);
        if (number != null) {
            double n = number;
            d = Math.abs(n) < LOCK_DELAY_SECONDS_BELOW ? Duration.ofNanos((long) (n * 1e9)) : Duration.ofNanos((long) n);
        } else {
            try {
                d = GoDuration.parse(v);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("Invalid LockDelay \"" + v + "\": " + e.getMessage() + "; use e.g. \"15s\"");
            }
        }
        if (d.isNegative()) {
            throw ApiException.badRequest("Invalid LockDelay \"" + v + "\": must not be negative");
        }
        return d.compareTo(MAX_LOCK_DELAY) > 0 ? MAX_LOCK_DELAY : d;
    }

    private static Double number(String v) {
        // a JSON number reaches us as its text; a Go duration always ends in a unit
        if (!v.matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?")) {
            return null;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void checkTtl(String ttl, Duration minTtl) {
        if (ttl.isEmpty()) {
            return;
        }
        Duration d;
        try {
            d = GoDuration.parse(ttl);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Session TTL '" + ttl + "' invalid: " + e.getMessage());
        }
        if (!d.isZero() && (d.compareTo(minTtl) < 0 || d.compareTo(MAX_TTL) > 0)) {
            throw ApiException.badRequest("Invalid Session TTL '" + ttl + "', must be between ["
                    + GoDuration.format(minTtl) + "=" + GoDuration.format(MAX_TTL) + "]");
        }
    }
}

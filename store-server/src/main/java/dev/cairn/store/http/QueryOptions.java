package dev.cairn.store.http;

import io.undertow.server.HttpServerExchange;

import java.time.Duration;
import java.util.Deque;
import java.util.Map;

/**
 * The parameters every read accepts: {@code index}/{@code wait} for blocking, the consistency
 * mode and {@code dc}. Parsed the way Consul's {@code parseWait} and {@code parseConsistency} do.
 */
public record QueryOptions(long index, Duration waitTime, Consistency consistency) {

    public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);

    public static QueryOptions parse(HttpServerExchange ex, String datacenter) {
        Map<String, Deque<String>> q = ex.getQueryParameters();
        checkDatacenter(q, datacenter);
        long index = 0;
        String rawIndex = Params.first(q, "index");
        if (rawIndex != null && !rawIndex.isEmpty()) {
            try {
                index = Long.parseUnsignedLong(rawIndex);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Invalid index");
            }
        }
        Duration wait = DEFAULT_WAIT;
        String rawWait = Params.first(q, "wait");
        if (rawWait != null && !rawWait.isEmpty()) {
            try {
                wait = GoDuration.parse(rawWait);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("Invalid wait time");
            }
            if (wait.isZero() || wait.isNegative()) {
                wait = DEFAULT_WAIT;
            } else if (wait.compareTo(MAX_WAIT) > 0) {
                wait = MAX_WAIT;
            }
        }
        boolean stale = q.containsKey("stale");
        boolean consistent = q.containsKey("consistent");
        if (stale && consistent) {
            throw ApiException.badRequest("Cannot specify ?stale with ?consistent, conflicting semantics.");
        }
        Consistency mode = stale ? Consistency.STALE : consistent ? Consistency.CONSISTENT : Consistency.DEFAULT;
        return new QueryOptions(index, wait, mode);
    }

    /** Until datacenter forwarding exists, only the server's own datacenter can be asked. */
    public static void checkDatacenter(Map<String, Deque<String>> q, String datacenter) {
        String dc = Params.first(q, "dc");
        if (dc != null && !dc.isEmpty() && !dc.equals(datacenter)) {
            throw ApiException.badRequest("No path to datacenter \"" + dc + "\" (this server serves \""
                    + datacenter + "\")");
        }
    }

    public boolean blocking() {
        return index > 0;
    }
}

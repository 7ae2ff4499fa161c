package dev.cairn.registrator;

import dev.cairn.client.CairnClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The agent endpoints of a Cairn server, through {@link CairnClient}. */
public final class AgentRegistry implements ServiceRegistry {

    /** Every call is bounded: a server that accepts but never answers must not stall the sync loop. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final CairnClient http;

    public AgentRegistry(CairnClient http) {
        this.http = http;
    }

    public String address() {
        return http.base().toString();
    }

    /** As Registrator's consul adapter: the status/leader endpoint, which must name a leader. */
    @Override
    public void ping() {
        String leader = http.call("GET", "/v1/status/leader", null, null, TIMEOUT).ok().json().asText("");
        if (leader.isEmpty()) {
            throw new IllegalStateException("Cairn at " + http.base() + " has no leader");
        }
    }

    /**
     * With {@code replace-existing-checks}: the checks a container asks for now are the service's
     * checks, so a check removed from its labels goes away on the next start.
     */
    @Override
    public void register(Registration r) {
        Map<String, String> q = CairnClient.query();
        q.put("replace-existing-checks", null);
        byte[] body;
        try {
            body = CairnClient.JSON.writeValueAsBytes(r.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.call("PUT", "/v1/agent/service/register", q, body, TIMEOUT).ok();
    }

    @Override
    public void deregister(String serviceId) {
        http.call("PUT", "/v1/agent/service/deregister/" + CairnClient.encodePath(serviceId), null, new byte[0], TIMEOUT).ok();
    }

    @Override
    public Set<String> serviceIds() {
        Set<String> ids = new TreeSet<>();
        http.call("GET", "/v1/agent/services", null, null, TIMEOUT).ok().json().fieldNames().forEachRemaining(ids::add);
        return ids;
    }

    @Override
    public boolean passTtl(String checkId) {
        CairnClient.Response r = http.call("PUT", "/v1/agent/check/pass/" + CairnClient.encodePath(checkId), null,
                new byte[0], TIMEOUT);
        if (r.notFound()) {
            return false;
        }
        r.ok();
        return true;
    }
}

package dev.cairn.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The session endpoints ({@code /v1/session/*}) that locks need, with Consul's Go client semantics. */
public final class SessionClient {

    private final CairnClient http;

    public SessionClient(CairnClient http) {
        this.http = http;
    }

    /**
     * Creates a session on the server's own node (with its default serfHealth check and 15 s
     * lock-delay, as Consul's api.Lock does); returns its ID.
     */
    public String create(String name, String ttl) {
        ObjectNode body = CairnClient.JSON.createObjectNode();
        body.put("Name", name);
        body.put("TTL", ttl);
        byte[] bytes;
        try {
            bytes = CairnClient.JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return http.put("/v1/session/create", null, bytes).ok().json().path("ID").asText();
    }

    /** Restarts the session's TTL; false when the server no longer knows it (it expired or was destroyed). */
    public boolean renew(String id) {
        CairnClient.Response r = http.put("/v1/session/renew/" + CairnClient.encodePath(id), null, new byte[0]);
        if (r.notFound()) {
            return false;
        }
        r.ok();
        return true;
    }

    public void destroy(String id) {
        http.put("/v1/session/destroy/" + CairnClient.encodePath(id), null, new byte[0]).ok();
    }
}

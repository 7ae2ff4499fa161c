package dev.cairn.registrator;

import java.util.Set;

/**
 * Where services go: a Cairn (or Consul) agent ({@link AgentRegistry}) in production, a map in
 * tests. Failures are the client's unchecked exceptions ({@code UnreachableException},
 * {@code ApiException}).
 */
interface ServiceRegistry {

    /** Throws unless the server answers and has a leader. */
    void ping();

    void register(Registration r);

    /** Unknown ids are not an error. */
    void deregister(String serviceId);

    /** Ids of every service registered on the agent's node. */
    Set<String> serviceIds();

    /** Passes a TTL check; false when the server does not know it (the service is gone). */
    boolean passTtl(String checkId);
}

/**
 * The Docker registrator (DESIGN.md, "The registrator"; issue 7): gliderlabs/registrator's job
 * against a Cairn agent.
 *
 * <p>Public surface, used by the CLI: {@link dev.cairn.registrator.RegistratorConfig} (the flags,
 * validated whole), {@link dev.cairn.registrator.DockerEngine} (docker-java over
 * {@code DOCKER_HOST}), {@link dev.cairn.registrator.AgentRegistry} (the agent endpoints through
 * {@code CairnClient}) and {@link dev.cairn.registrator.Registrator} (start, close).
 *
 * <p>Inside: {@link dev.cairn.registrator.ServiceMapper} is pure: a
 * {@link dev.cairn.registrator.Container} (what {@code docker inspect} says, in plain types) to the
 * {@link dev.cairn.registrator.Registration}s its ports should have, by Registrator's rules
 * ({@code SERVICE_*} variables and labels). {@code Registrator} is the sync loop on one thread:
 * events, resyncs, TTL refreshes, reconnects; it sees Docker and the agent only through
 * {@code ContainerSource} and {@code ServiceRegistry}, which tests replace with fakes.
 */
package dev.cairn.registrator;

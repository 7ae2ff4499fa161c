package dev.cairn.registrator;

import java.util.List;
import java.util.Map;

/**
 * What the registrator needs of one {@code docker inspect}, in plain Java types, so that
 * {@link ServiceMapper} is pure and testable without Docker. {@link DockerEngine} fills it in.
 *
 * @param name        the container's name without Docker's leading slash
 * @param image       {@code Config.Image} as the user gave it ({@code repo/app:1.2})
 * @param env         {@code Config.Env}, {@code KEY=VALUE} in order
 * @param labels      {@code Config.Labels}
 * @param exposed     {@code Config.ExposedPorts}, as {@code 80/tcp}
 * @param published   {@code NetworkSettings.Ports}: port ({@code 80/tcp}) to its host bindings, an
 *                    empty list for an exposed port that is not published
 * @param ip          the container's own address on its first network ("" when it has none)
 * @param exitCode    {@code State.ExitCode}, meaningful once it is not running
 */
public record Container(String id, String name, String image, List<String> env, Map<String, String> labels,
                        List<String> exposed, Map<String, List<Binding>> published, String networkMode,
                        String ip, boolean running, long exitCode) {

    public Container {
        name = name.startsWith("/") ? name.substring(1) : name;
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        exposed = List.copyOf(exposed);
        published = Map.copyOf(published);
        networkMode = networkMode == null ? "" : networkMode;
        ip = ip == null ? "" : ip;
    }

    /** A host binding of a port: {@code hostIp} is "" or {@code 0.0.0.0} for all addresses. */
    public record Binding(String hostIp, String hostPort) {
        public Binding {
            hostIp = hostIp == null ? "" : hostIp;
            hostPort = hostPort == null ? "" : hostPort;
        }
    }

    /** The first 12 hex digits, as {@code docker ps} shows an id, for log lines. */
    public String shortId() {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}

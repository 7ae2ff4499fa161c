package dev.cairn.registrator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container to the services it should have, as gliderlabs/registrator's bridge does it (its
 * {@code bridge.go} {@code add}/{@code newService} and {@code util.go} {@code serviceMetaData}), so
 * containers already shaped for Registrator register the same here. Pure: no Docker, no network.
 *
 * <ul>
 *   <li>Ports: {@code Config.ExposedPorts} first (bound to the same port on all addresses: what
 *       {@code --net=host} means), then {@code NetworkSettings.Ports} over them. Without
 *       {@code -internal}, a port not published on the host is skipped. Only the first binding
 *       counts (Docker lists 0.0.0.0 before ::).</li>
 *   <li>Metadata: {@code SERVICE_*} environment variables, then labels (labels win); the rest of the
 *       key is lower-cased. {@code SERVICE_<port>_<key>} applies to that port only and wins over
 *       {@code SERVICE_<key>}.</li>
 *   <li>Name: {@code name}, else (unless {@code -explicit}) the image's base name; with several
 *       ports, {@code -<port>} is appended unless the name came from {@code SERVICE_<port>_NAME}.
 *       {@code ignore} (any value) skips the port.</li>
 *   <li>Id: {@code HOST:CONTAINER:PORT}, plus {@code :udp} for UDP ports (also tagged {@code udp});
 *       {@code id} replaces it. Tags: {@code tags} (comma list), then {@code -tags}.</li>
 *   <li>Checks from {@code check_*} keys (below); every other key becomes service {@code Meta}.</li>
 * </ul>
 */
public final class ServiceMapper {

    /** Registrator's {@code serviceIDPattern}: the ids it considers its own (host, container, port). */
    private static final Pattern OWNED_ID = Pattern.compile("^(.+?):([a-zA-Z0-9][a-zA-Z0-9_.-]+):[0-9]+(?::udp)?$");
    private static final Pattern PORT_KEY = Pattern.compile("^([0-9]+)_(.+)$");
    static final String DEFAULT_INTERVAL = "10s";

    /** Metadata keys that shape the registration rather than becoming Meta. */
    private static final Set<String> CONSUMED = Set.of("name", "id", "tags", "ignore", "check_http", "check_https",
            "check_http_method", "check_tls_skip_verify", "check_tcp", "check_script", "check_ttl", "check_interval",
            "check_timeout", "check_deregister_after", "check_initial_status");

    private ServiceMapper() {
    }

    /** The registrations for a container's ports, sorted by id; none when it publishes nothing usable. */
    public static List<Registration> map(Container c, RegistratorConfig config) {
        Map<String, Container.Binding> ports = new TreeMap<>(ServiceMapper::comparePorts);
        for (String p : c.exposed()) {
            ports.put(normalize(p), new Container.Binding("0.0.0.0", portOf(normalize(p))));
        }
        c.published().forEach((p, bindings) -> ports.put(normalize(p),
                bindings.isEmpty() ? new Container.Binding("", "") : bindings.get(0)));
        if (!config.internal()) {
            ports.values().removeIf(b -> b.hostPort().isEmpty());
        }
        boolean group = ports.size() > 1;
        List<Registration> out = new ArrayList<>();
        ports.forEach((port, binding) -> {
            Registration r = service(c, port, binding, group, config);
            if (r != null) {
                out.add(r);
            }
        });
        out.sort(Comparator.comparing(Registration::id));
        return out;
    }

    /** True when {@code serviceId} has the {@code HOST:CONTAINER:PORT[:udp]} shape with this host. */
    public static boolean owns(String serviceId, String hostname) {
        Matcher m = OWNED_ID.matcher(serviceId);
        return m.matches() && m.group(1).equals(hostname);
    }

    /** The {@code SERVICE_*} metadata that applies to one exposed port (e.g. "80"), and which keys came from the port. */
    static Map<String, String> metadata(Container c, String exposedPort, Set<String> fromPort) {
        List<String> pairs = new ArrayList<>(c.env());
        new TreeMap<>(c.labels()).forEach((k, v) -> pairs.add(k + "=" + v));
        Map<String, String> meta = new LinkedHashMap<>();
        for (String kv : pairs) {
            int eq = kv.indexOf('=');
            if (eq < 0 || !kv.startsWith("SERVICE_")) {
                continue;
            }
            String key = kv.substring("SERVICE_".length(), eq).toLowerCase(Locale.ROOT);
            String value = kv.substring(eq + 1);
            Matcher m = PORT_KEY.matcher(key);
            if (m.matches()) {
                if (m.group(1).equals(exposedPort)) {
                    meta.put(m.group(2), value);
                    fromPort.add(m.group(2));
                }
            } else if (!fromPort.contains(key)) {
                meta.put(key, value);
            }
        }
        return meta;
    }

    private static Registration service(Container c, String port, Container.Binding binding, boolean group,
                                        RegistratorConfig config) {
        String exposedPort = portOf(port);
        boolean udp = port.endsWith("/udp");
        Set<String> fromPort = new HashSet<>();
        Map<String, String> meta = metadata(c, exposedPort, fromPort);
        if (!meta.getOrDefault("ignore", "").isEmpty()) {
            return null;
        }
        String name = meta.getOrDefault("name", "");
        if (name.isEmpty()) {
            if (config.explicit()) {
                return null;
            }
            name = imageBaseName(c.image());
        }
        if (group && !fromPort.contains("name")) {
            name = name + "-" + exposedPort;
        }
        String address;
        int servicePort;
        if (config.internal()) {
            address = c.ip();
            servicePort = Integer.parseInt(exposedPort);
        } else {
            address = binding.hostIp().isEmpty() || binding.hostIp().equals("0.0.0.0") || binding.hostIp().equals("::")
                    ? config.defaultIp() : binding.hostIp();
            servicePort = Integer.parseInt(binding.hostPort());
        }
        if (config.hostIp() != null && !config.hostIp().isEmpty()) {
            address = config.hostIp();
        }
        String id = config.hostname() + ":" + c.name() + ":" + exposedPort + (udp ? ":udp" : "");
        if (!meta.getOrDefault("id", "").isEmpty()) {
            id = meta.get("id");
        }
        Set<String> tags = new LinkedHashSet<>(split(meta.getOrDefault("tags", "")));
        tags.addAll(config.tags());
        if (udp) {
            tags.add("udp");
        }
        List<Registration.Check> checks = new ArrayList<>();
        Registration.Check own = check(meta, id, address, servicePort);
        if (own != null) {
            checks.add(own);
        }
        if (!config.ttl().isZero()) {
            checks.add(new Registration.Check(ttlCheckId(id), "registrator TTL", null, null, false, null, null,
                    config.ttl().toSeconds() + "s", null, null, null, "passing"));
        }
        Map<String, String> rest = new TreeMap<>(meta);
        rest.keySet().removeAll(CONSUMED);
        return new Registration(id, name, address, servicePort, List.copyOf(tags), rest, checks);
    }

    /** The id of the TTL check {@code -ttl} adds to a service, which {@code -ttl-refresh} passes. */
    static String ttlCheckId(String serviceId) {
        return "service:" + serviceId + ":ttl";
    }

    /**
     * Registrator's consul adapter {@code buildCheck}: the first of HTTP, HTTPS, script, TTL and TCP
     * that is set; runnable checks get {@code check_interval} (10s by default).
     */
    static Registration.Check check(Map<String, String> meta, String serviceId, String ip, int port) {
        String http = null;
        String tcp = null;
        String ttl = null;
        List<String> args = null;
        String path;
        if (!(path = meta.getOrDefault("check_http", "")).isEmpty()) {
            http = "http://" + hostPort(ip, port) + path;
        } else if (!(path = meta.getOrDefault("check_https", "")).isEmpty()) {
            http = "https://" + hostPort(ip, port) + path;
        } else if (!meta.getOrDefault("check_script", "").isEmpty()) {
            String script = meta.get("check_script").replace("$SERVICE_IP", ip)
                    .replace("$SERVICE_PORT", Integer.toString(port));
            args = List.of("/bin/sh", "-c", script);
        } else if (!meta.getOrDefault("check_ttl", "").isEmpty()) {
            ttl = meta.get("check_ttl");
        } else if (!meta.getOrDefault("check_tcp", "").isEmpty()) {
            tcp = hostPort(ip, port);
        } else {
            return null;
        }
        boolean runs = ttl == null;
        String interval = runs ? meta.getOrDefault("check_interval", DEFAULT_INTERVAL) : null;
        String timeout = runs ? emptyToNull(meta.get("check_timeout")) : null;
        String method = http != null ? emptyToNull(meta.get("check_http_method")) : null;
        boolean skipVerify = http != null && Boolean.parseBoolean(meta.getOrDefault("check_tls_skip_verify", "false"));
        return new Registration.Check("service:" + serviceId, null, http, method, skipVerify, tcp, args, ttl,
                interval, timeout, emptyToNull(meta.get("check_deregister_after")),
                emptyToNull(meta.get("check_initial_status")));
    }

    /** {@code repo.example:5000/team/app:1.2} and {@code app@sha256:...} are both {@code app}. */
    static String imageBaseName(String image) {
        String base = image.substring(image.lastIndexOf('/') + 1);
        int cut = base.indexOf('@');
        base = cut >= 0 ? base.substring(0, cut) : base;
        cut = base.indexOf(':');
        return cut >= 0 ? base.substring(0, cut) : base;
    }

    private static String hostPort(String ip, int port) {
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }

    private static List<String> split(String commaList) {
        List<String> out = new ArrayList<>();
        for (String t : commaList.split(",")) {
            if (!t.isBlank()) {
                out.add(t.strip());
            }
        }
        return out;
    }

    /** {@code 80} is {@code 80/tcp}, as Docker means it. */
    private static String normalize(String port) {
        return port.contains("/") ? port : port + "/tcp";
    }

    private static String portOf(String port) {
        int slash = port.indexOf('/');
        return slash < 0 ? port : port.substring(0, slash);
    }

    /** Numeric port order, then protocol: ids and names come out in a stable order. */
    private static int comparePorts(String a, String b) {
        int byNumber = Integer.compare(parse(portOf(a)), parse(portOf(b)));
        return byNumber != 0 ? byNumber : a.compareTo(b);
    }

    private static int parse(String number) {
        try {
            return Integer.parseInt(number);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}

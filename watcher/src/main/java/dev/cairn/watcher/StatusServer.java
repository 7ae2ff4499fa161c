package dev.cairn.watcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToLongFunction;

/**
 * {@code -status-addr HOST:PORT}: the daemon's health and metrics over HTTP, for a load balancer's
 * or an orchestrator's probe and for Prometheus.
 *
 * <ul>
 *   <li>{@code GET /health}: 200 {@code {"status":"ok","templates":N,"rendered":N}} once every
 *       template has been rendered, 503 {@code {"status":"rendering",...}} before.</li>
 *   <li>{@code GET /metrics}: Prometheus text format 0.0.4; counters per template (label
 *       {@code template}, the destination path), the watched-queries gauge, and the change-to-write
 *       histogram.</li>
 * </ul>
 *
 * The JDK's own HTTP server (module jdk.httpserver) keeps the watcher free of a web framework for
 * two read-only pages; one thread serves them.
 */
public final class StatusServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusServer.class);

    private final TemplateDaemon daemon;
    private final HttpServer server;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cairn-status");
        t.setDaemon(true);
        return t;
    });

    private StatusServer(TemplateDaemon daemon, HttpServer server) {
        this.daemon = daemon;
        this.server = server;
    }

    /**
     * Serves {@code daemon}'s status on {@code address} ({@code HOST:PORT}; port 0 picks a free one).
     *
     * @throws RunException when the address cannot be bound
     */
    public static StatusServer start(TemplateDaemon daemon, String address) throws RunException {
        Objects.requireNonNull(daemon, "daemon");
        InetSocketAddress at = parseAddress(address);
        HttpServer http;
        try {
            http = HttpServer.create(at, 16);
        } catch (IOException e) {
            throw new RunException("cannot serve status on " + address + ": " + OutputPublisher.describe(e));
        }
        StatusServer s = new StatusServer(daemon, http);
        http.createContext("/health", s::health);
        http.createContext("/metrics", s::metrics);
        http.setExecutor(s.thread);
        http.start();
        log.info("status on http://{}:{} (/health, /metrics)", at.getHostString(), s.port());
        return s;
    }

    /** {@code HOST:PORT} (host may be {@code [::1]}). */
    static InetSocketAddress parseAddress(String address) {
        String a = address == null ? "" : address.strip();
        int colon = a.lastIndexOf(':');
        if (colon <= 0 || colon == a.length() - 1) {
            throw new IllegalArgumentException("status address \"" + address + "\" is not HOST:PORT (e.g. 127.0.0.1:8900)");
        }
        String host = a.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(a.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("status address \"" + address + "\": bad port");
        }
        return new InetSocketAddress(host, port);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }

    // ------------------------------------------------------------------ handlers

    private void health(HttpExchange x) throws IOException {
        if (!allowed(x, "/health")) {
            return;
        }
        boolean ok;
        int templates;
        int rendered;
        synchronized (daemon) {
            ok = daemon.allRendered();
            templates = daemon.templateCount();
            rendered = daemon.renderedCount();
        }
        String body = "{\"status\":\"" + (ok ? "ok" : "rendering") + "\",\"templates\":" + templates
                + ",\"rendered\":" + rendered + "}\n";
        send(x, ok ? 200 : 503, "application/json", body);
    }

    private void metrics(HttpExchange x) throws IOException {
        if (!allowed(x, "/metrics")) {
            return;
        }
        send(x, 200, "text/plain; version=0.0.4; charset=utf-8", prometheus(daemon.metrics()));
    }

    /** GET (or HEAD) on exactly {@code path}; anything else is answered here. */
    private static boolean allowed(HttpExchange x, String path) throws IOException {
        if (!x.getRequestURI().getPath().equals(path)) {
            send(x, 404, "text/plain", "not found\n");
            return false;
        }
        if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
            x.getResponseHeaders().set("Allow", "GET, HEAD");
            send(x, 405, "text/plain", "method not allowed\n");
            return false;
        }
        return true;
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : bytes.length);
        try (OutputStream o = x.getResponseBody()) {
            if (!head) {
                o.write(bytes);
            }
        }
    }

    // ------------------------------------------------------------------ Prometheus text

    /** The metrics in Prometheus text format (exposition format 0.0.4). */
    static String prometheus(DaemonMetrics m) {
        Map<String, DaemonMetrics.PerTemplate> per = m.byTemplate();
        StringBuilder b = new StringBuilder();
        counter(b, per, "cairn_template_renders_total", "Template renders, complete or not.",
                DaemonMetrics.PerTemplate::renders);
        counter(b, per, "cairn_template_render_errors_total",
                "Renders that failed (template errors, missing keys with error_on_missing_key).",
                DaemonMetrics.PerTemplate::renderErrors);
        counter(b, per, "cairn_template_writes_total", "Destination files replaced.", DaemonMetrics.PerTemplate::writes);
        counter(b, per, "cairn_template_write_failures_total", "Destination files that could not be written.",
                DaemonMetrics.PerTemplate::writeFailures);
        counter(b, per, "cairn_template_check_failures_total",
                "Check commands that failed (the old file was kept).", DaemonMetrics.PerTemplate::checkFailures);
        counter(b, per, "cairn_template_command_failures_total",
                "Commands that failed after a write (the previous file was put back).",
                DaemonMetrics.PerTemplate::commandFailures);
        b.append("# HELP cairn_template_watched_queries Distinct store queries watched now (one blocking query each).\n")
                .append("# TYPE cairn_template_watched_queries gauge\n")
                .append("cairn_template_watched_queries ").append(m.watchedQueries()).append('\n');
        String h = "cairn_template_change_to_write_seconds";
        b.append("# HELP ").append(h).append(" Time from a change being seen to the file being written.\n")
                .append("# TYPE ").append(h).append(" histogram\n");
        for (Map.Entry<String, DaemonMetrics.PerTemplate> e : per.entrySet()) {
            String label = "template=\"" + escape(e.getKey()) + "\"";
            DaemonMetrics.PerTemplate t = e.getValue();
            double[] bounds = DaemonMetrics.CHANGE_TO_WRITE_BUCKETS;
            for (int i = 0; i < bounds.length; i++) {
                b.append(h).append("_bucket{").append(label).append(",le=\"").append(number(bounds[i])).append("\"} ")
                        .append(t.changeToWriteAtMost(i)).append('\n');
            }
            b.append(h).append("_bucket{").append(label).append(",le=\"+Inf\"} ").append(t.writes()).append('\n');
            b.append(h).append("_sum{").append(label).append("} ")
                    .append(number(t.changeToWriteTotal().toNanos() / 1e9)).append('\n');
            b.append(h).append("_count{").append(label).append("} ").append(t.writes()).append('\n');
        }
        return b.toString();
    }

    private static void counter(StringBuilder b, Map<String, DaemonMetrics.PerTemplate> per, String name, String help,
                                ToLongFunction<DaemonMetrics.PerTemplate> value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n");
        per.forEach((template, t) -> b.append(name).append("{template=\"").append(escape(template)).append("\"} ")
                .append(value.applyAsLong(t)).append('\n'));
    }

    /** Label values escape backslash, double quote and newline. */
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, "%s", d);
    }
}

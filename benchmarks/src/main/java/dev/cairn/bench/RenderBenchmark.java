package dev.cairn.bench;

import dev.cairn.template.CatalogService;
import dev.cairn.template.DataSource;
import dev.cairn.template.Query;
import dev.cairn.template.RenderResult;
import dev.cairn.template.ServiceInstance;
import dev.cairn.template.Template;
import dev.cairn.template.TemplateEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Issue 4's benchmark: one render of the haproxy example template
 * ({@code examples/haproxy/haproxy.cfg.ctmpl}: a frontend with one {@code use_backend} per service
 * tagged {@code http}, and one backend per service listing its instances) over 1,000 service
 * instances, the template compiled once. The data comes from an in-memory {@link DataSource} that
 * answers {@code services:*} and {@code service:NAME} queries the way the daemon's source does
 * (already fetched, no I/O), so this is the engine's cost alone: tag filtering, health filtering,
 * sorting, Mustache.
 *
 * <p>{@code services}: how the 1,000 instances are spread, 1 service of 1,000 or 50 of 20.
 * Run from the repository root (the template path is relative): see benchmarks/run.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RenderBenchmark {

    @Param("examples/haproxy/haproxy.cfg.ctmpl")
    public String template;

    @Param({"1", "50"})
    public int services;

    @Param("1000")
    public int instances;

    private Template compiled;
    private DataSource source;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        compiled = new TemplateEngine().compile(Path.of(template));
        List<CatalogService> catalog = new ArrayList<>();
        Map<String, List<ServiceInstance>> byName = new java.util.HashMap<>();
        for (int s = 0; s < services; s++) {
            String name = String.format("svc-%02d", s);
            catalog.add(new CatalogService(name, List.of("http", "v1")));
            byName.put(name, new ArrayList<>());
        }
        // one extra service without the http tag, and unhealthy instances: the engine must drop them
        catalog.add(new CatalogService("metrics", List.of("prometheus")));
        for (int i = 0; i < instances; i++) {
            String name = String.format("svc-%02d", i % services);
            int node = i % 40;
            byName.get(name).add(new ServiceInstance(name + "-" + i, name, "node-" + node,
                    "10.0." + (i / 250) + "." + (i % 250 + 1), "10.1.0." + (node + 1), 20000 + i,
                    List.of("http", "v1"), Map.of("version", "1"), i % 50 == 49 ? "critical" : "passing", "dc1"));
        }
        source = query -> switch (query.kind()) {
            case SERVICES -> Optional.of(catalog);
            case SERVICE -> Optional.of(byName.getOrDefault(query.argument(), List.of()));
            default -> Optional.empty();
        };
        RenderResult r = compiled.render(source);
        long servers = r.output().lines().filter(l -> l.startsWith("  server ")).count();
        if (!r.complete() || servers != instances - instances / 50) {
            throw new IllegalStateException("unexpected render: complete=" + r.complete() + ", " + servers
                    + " server lines, waiting for " + r.waitingFor());
        }
    }

    @Benchmark
    public RenderResult render() {
        return compiled.render(source);
    }

    /** The render's output size and queries, for the report. */
    public static void main(String[] args) throws Exception {
        RenderBenchmark b = new RenderBenchmark();
        b.template = args.length > 0 ? args[0] : "examples/haproxy/haproxy.cfg.ctmpl";
        b.services = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        b.instances = 1000;
        b.setUp();
        RenderResult r = b.render();
        System.out.println(r.output().length() + " chars, " + r.output().lines().count() + " lines, queries "
                + r.dependencies().stream().map(Query::toString).toList());
    }
}

package dev.vigil.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.rules.correlation.Correlation;
import dev.vigil.rules.correlation.CorrelationSet;
import dev.vigil.rules.correlation.Durations;
import dev.vigil.rules.engine.CompiledRule;
import dev.vigil.rules.engine.RuleSet;
import dev.vigil.rules.output.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The web endpoints (JDK HTTP server, webserver.threadiness daemon threads): health, Prometheus metrics, loaded rules (read-only), and
 * POST /reload, which changes state and so needs {@code Authorization: Bearer <webserver.token>} (off without one).
 */
final class WebServer {
    private final HttpServer server;
    private final java.util.concurrent.ExecutorService pool;

    private WebServer(HttpServer server, java.util.concurrent.ExecutorService pool) {
        this.server = server;
        this.pool = pool;
    }

    /** Falco's webserver.threadiness: that many request threads; 0, one per online CPU. */
    static int threads(AgentConfig config) {
        int n = config.integer("webserver.threadiness");
        if (n < 0) throw new IllegalArgumentException("webserver.threadiness: " + n + " is not 0 (one thread per online CPU) or a number of threads");
        return n == 0 ? Runtime.getRuntime().availableProcessors() : n;
    }

    static WebServer start(Agent agent, AgentConfig config) {
        String addr = config.string("webserver.listen_address");
        int port = config.integer("webserver.listen_port");
        int threads = threads(config);
        HttpServer s;
        try {
            if (config.bool("webserver.ssl_enabled")) {
                // Falco's ssl_certificate: one PEM file holding the private key and the certificate (chain)
                javax.net.ssl.SSLContext ctx = dev.vigil.agent.output.HttpTls.serverContext(
                        java.nio.file.Path.of(config.string("webserver.ssl_certificate")));
                com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(addr, port), 16);
                https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ctx));
                s = https;
            } else {
                s = HttpServer.create(new InetSocketAddress(addr, port), 16);
            }
        } catch (BindException e) {
            throw new IllegalArgumentException("webserver: cannot listen on " + addr + ":" + port + ": "
                    + (e.getMessage() == null ? "address in use" : e.getMessage().toLowerCase(java.util.Locale.ROOT))
                    + " (set webserver.listen_port, or webserver.enabled=false)");
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("webserver: cannot listen on " + addr + ":" + port + ": " + e.getMessage());
        }
        // webserver.threadiness threads, named by port (GET /flows?follow=1 holds one for as long as the client follows)
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        String name = "vigil-web-" + s.getAddress().getPort() + "-";
        java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(threads,
                r -> Thread.ofPlatform().daemon().name(name + n.incrementAndGet()).unstarted(r));
        s.setExecutor(pool);
        s.createContext(config.string("webserver.k8s_healthz_endpoint"), ex -> {
            boolean ok = agent.healthy();
            reply(ex, ok ? 200 : 503, "application/json", () -> ok ? "{\"status\":\"ok\"}\n" : "{\"status\":\"starting\"}\n");
        });
        if (config.bool("webserver.prometheus_metrics_enabled")) {
            s.createContext("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                    () -> Metrics.render(agent)));
        }
        s.createContext("/rules", ex -> reply(ex, 200, "application/json", () -> rulesJson(agent)));
        s.createContext("/versions", ex -> reply(ex, 200, "application/json", () -> {
            StringBuilder sb = new StringBuilder();
            Json.value(sb, FalcoMetrics.versions());
            return sb.append('\n').toString();
        }));
        s.createContext("/policies", ex -> reply(ex, 200, "application/json", () -> PolicyEndpoints.policiesJson(agent)));
        s.createContext("/flows", ex -> PolicyEndpoints.flows(agent, ex));
        String token = config.string("webserver.token");
        s.createContext("/reload", ex -> {
            try (ex) {
                if (!ex.getRequestMethod().equals("POST")) {
                    ex.getResponseHeaders().set("Allow", "POST");
                    ex.sendResponseHeaders(405, -1);
                    return;
                }
                if (token.isEmpty()) {
                    send(ex, 403, "state-changing endpoints are off: set webserver.token\n");
                    return;
                }
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                byte[] given = (auth == null ? "" : auth).getBytes(StandardCharsets.UTF_8);
                byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
                if (!MessageDigest.isEqual(given, expected)) {
                    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                    send(ex, 401, "a valid token is required\n");
                    return;
                }
                boolean ok = agent.reloadRules("POST /reload") & agent.reloadPolicies("POST /reload");
                send(ex, ok ? 200 : 422, ok ? "reloaded\n" : "reload failed; the previous rules stay in force\n");
            }
        });
        s.start();
        return new WebServer(s, pool);
    }

    int port() { return server.getAddress().getPort(); }

    void stop() {
        server.stop(0);
        pool.shutdownNow(); // the server does not stop the executor it was given
    }

    private static void reply(HttpExchange ex, int code, String type, Supplier<String> body) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(code, -1);
                return;
            }
            ex.sendResponseHeaders(code, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        } catch (RuntimeException e) {
            ex.sendResponseHeaders(500, -1);
        }
    }

    private static void send(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    /** The loaded correlations as /rules lists rules, with each one's live state (keys tracked, alerts, repeats). */
    private static List<Object> correlationsJson(Agent agent, CorrelationSet cs) {
        Map<String, CorrelationSet.Stats> stats = new HashMap<>();
        for (CorrelationSet.Stats st : cs.stats()) stats.put(st.correlation(), st);
        List<Object> out = new ArrayList<>();
        for (Correlation c : cs.all()) {
            Map<String, Object> m = new LinkedHashMap<>();
            boolean enabled = cs.isEnabled(c.name());
            m.put("name", c.name());
            m.put("type", c.kind().yamlName());
            m.put("priority", c.priority().display());
            m.put("enabled", enabled);
            m.put("active", enabled && c.priority().ordinal() <= agent.threshold().ordinal());
            m.put("window", Durations.format(c.windowNanos()));
            if (c.kind() != Correlation.Kind.SEQUENCE) m.put("threshold", c.threshold());
            List<String> steps = new ArrayList<>();
            for (Correlation.Step st : c.steps()) steps.add(st.name());
            m.put("steps", steps);
            m.put("tags", c.tags());
            List<String> types = new ArrayList<>();
            c.eventTypes().forEach(t -> types.add(t.falcoName()));
            m.put("event_types", types);
            m.put("defined_at", c.pos().toString());
            m.put("description", c.description());
            CorrelationSet.Stats st = stats.get(c.name());
            if (st != null) {
                Map<String, Object> state = new LinkedHashMap<>();
                state.put("keys", st.keys());
                state.put("max_keys", st.maxKeys());
                state.put("evictions", st.evictions());
                state.put("alerts", st.alerts());
                state.put("suppressed", st.suppressed());
                m.put("state", state);
            }
            out.add(m);
        }
        return out;
    }

    static String rulesJson(Agent agent) {
        RuleSet rs = agent.rules();
        List<Object> rules = new ArrayList<>();
        for (CompiledRule r : rs.rules()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("priority", r.priority().display());
            m.put("enabled", rs.isEnabled(r.name()));
            m.put("active", rs.isEnabled(r.name()) && r.priority().ordinal() <= agent.threshold().ordinal());
            m.put("source", r.source());
            m.put("tags", r.tags());
            List<String> types = new ArrayList<>();
            r.eventTypes().forEach(t -> types.add(t.falcoName()));
            m.put("event_types", types);
            m.put("defined_at", r.pos().toString());
            m.put("description", r.description());
            rules.add(m);
        }
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("files", agent.ruleSources());
        top.put("rules", rules);
        top.put("correlations", correlationsJson(agent, rs.correlations()));
        StringBuilder sb = new StringBuilder(1 << 16);
        Json.value(sb, top);
        return sb.append('\n').toString();
    }
}

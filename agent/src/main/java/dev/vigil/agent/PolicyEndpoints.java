package dev.vigil.agent;

import com.sun.net.httpserver.HttpExchange;
import dev.vigil.policy.Policy;
import dev.vigil.rules.output.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** {@code GET /policies} (what is enforced, per kind and target) and {@code GET /flows} (JSON lines; ?follow=1 streams). */
final class PolicyEndpoints {
    private PolicyEndpoints() {}

    static String policiesJson(Agent agent) {
        AgentPolicies p = agent.policies();
        Map<String, Object> top = new LinkedHashMap<>();
        if (p != null) {
            top.put("pin_root", p.engine().store().root().toString());
            top.put("enforcement", p.engine().options().enforcement().text());
            top.put("audit_mode", p.engine().options().audit());
            List<Object> loaded = new ArrayList<>();
            for (Policy pol : p.engine().current().all()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", pol.name());
                m.put("kind", pol.documentKind() != null ? pol.documentKind() : pol.getClass().getSimpleName());
                m.put("defined_at", pol.position().toString());
                m.put("audit", pol.audit());
                loaded.add(m);
            }
            top.put("policies", loaded);
            top.put("enforced", p.engine().show());
        }
        StringBuilder sb = new StringBuilder(4096);
        Json.value(sb, top);
        return sb.append('\n').toString();
    }

    static void flows(Agent agent, HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET")) {
                ex.getResponseHeaders().set("Allow", "GET");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            AgentPolicies p = agent.policies();
            String query = ex.getRequestURI().getQuery();
            boolean follow = query != null && (query.contains("follow=1") || query.contains("follow=true"));
            ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
            ex.sendResponseHeaders(200, 0); // chunked
            OutputStream os = ex.getResponseBody();
            if (p == null) {
                os.close();
                return;
            }
            LinkedBlockingQueue<String> q = follow ? p.events().follow() : null;
            try {
                for (String line : p.events().recent()) {
                    os.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                }
                os.flush();
                while (q != null && agent.healthy()) {
                    String line = q.poll(1, TimeUnit.SECONDS);
                    if (line == null) continue;
                    os.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    os.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the follower went away
            } finally {
                if (q != null) p.events().unfollow(q);
                try {
                    os.close();
                } catch (IOException e) {
                    // already gone
                }
            }
        }
    }
}

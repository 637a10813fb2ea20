package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.agent.config.AgentConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vigil flows}: the running agent's flow records (GET /flows), like {@code hubble observe}. */
@Command(name = "flows", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the network flows the running agent's policies see (recent ones, then new ones as they come).", "",
            "Examples:",
            "  vigil flows --verdict DROPPED        # what the policies denied",
            "  vigil flows --container web --port 443 --no-follow",
            "  vigil flows --since 5m --json"})
final class FlowsCommand implements Callable<Integer> {
    @Mixin PolicyCommand.Where where = new PolicyCommand.Where();

    @Option(names = "--verdict", paramLabel = "VERDICT", description = "FORWARDED, DROPPED or AUDIT.")
    String verdict;

    @Option(names = "--container", paramLabel = "NAME|ID", description = "Flows from or to this container (name or id prefix).")
    String container;

    @Option(names = "--port", paramLabel = "PORT", description = "Flows with this source or destination port.")
    Integer port;

    @Option(names = "--since", paramLabel = "DURATION|TIME", description = "Only flows newer than this (30s, 5m, 1h, or an ISO time).")
    String since;

    @Option(names = "--json", description = "The JSON lines as the agent writes them.")
    boolean json;

    @Option(names = "--no-follow", description = "Print the recent flows and exit.")
    boolean noFollow;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (verdict != null && !Stream.of("FORWARDED", "DROPPED", "AUDIT").toList().contains(verdict.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--verdict must be FORWARDED, DROPPED or AUDIT, not '" + verdict + "'");
        }
        Instant after = since == null ? null : since(since);
        AgentConfig c = where.config();
        URI uri = URI.create("http://" + c.string("webserver.listen_address") + ":" + c.integer("webserver.listen_port")
                + "/flows" + (noFollow ? "" : "?follow=1"));
        HttpResponse<Stream<String>> r;
        try {
            r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new IllegalArgumentException("no agent answers at " + uri.getHost() + ":" + uri.getPort()
                    + " (is vigil run running, with the web server on?)");
        }
        if (r.statusCode() != 200) throw new IllegalArgumentException("the agent answered HTTP " + r.statusCode() + " for /flows");
        try (Stream<String> lines = r.body()) {
            for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                String line = it.next();
                if (line.isBlank()) continue;
                JsonNode f = JSON.readTree(line);
                if (!matches(f, after)) continue;
                System.out.println(json ? line : text(f));
                System.out.flush();
            }
        }
        return Vigil.EXIT_OK;
    }

    static Instant since(String s) {
        try {
            if (s.matches("\\d+[smhd]")) {
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                long secs = switch (s.charAt(s.length() - 1)) {
                    case 's' -> n;
                    case 'm' -> n * 60;
                    case 'h' -> n * 3600;
                    default -> n * 86400;
                };
                return Instant.now().minusSeconds(secs);
            }
            return Instant.parse(s);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--since: '" + s + "' is neither a duration (30s, 5m, 1h, 2d) nor an ISO time");
        }
    }

    boolean matches(JsonNode f, Instant after) {
        if (verdict != null && !verdict.equalsIgnoreCase(f.path("verdict").asText())) return false;
        if (after != null) {
            try {
                if (Instant.parse(f.path("time").asText()).isBefore(after)) return false;
            } catch (RuntimeException e) {
                return false;
            }
        }
        if (port != null) {
            JsonNode l4 = f.path("l4").elements().hasNext() ? f.path("l4").elements().next() : null;
            if (l4 == null || (l4.path("source_port").asInt() != port && l4.path("destination_port").asInt() != port)) return false;
        }
        if (container != null) {
            boolean any = false;
            for (String side : new String[] {"source", "destination"}) {
                JsonNode ct = f.path(side).path("container");
                if (ct.path("name").asText().equals(container) || (!ct.path("id").asText().isEmpty() && ct.path("id").asText().startsWith(container))) any = true;
            }
            if (!any) return false;
        }
        return true;
    }

    static String text(JsonNode f) {
        String proto = f.path("l4").fieldNames().hasNext() ? f.path("l4").fieldNames().next() : "";
        JsonNode l4 = f.path("l4").path(proto);
        String src = side(f.path("source"), f.path("IP").path("source").asText(), l4.path("source_port").asInt());
        String dst = side(f.path("destination"), f.path("IP").path("destination").asText(), l4.path("destination_port").asInt());
        StringBuilder sb = new StringBuilder();
        sb.append(f.path("time").asText()).append(": ").append(src).append(" -> ").append(dst).append(' ')
                .append(f.path("traffic_direction").asText().toLowerCase(Locale.ROOT)).append(' ')
                .append(f.path("verdict").asText());
        if (f.has("drop_reason_desc")) sb.append(" (").append(f.path("drop_reason_desc").asText()).append(')');
        sb.append(' ').append(f.path("Summary").asText());
        if (f.has("policy")) sb.append(" policy=").append(f.path("policy").path("name").asText());
        if (f.has("process")) sb.append(" pid=").append(f.path("process").path("pid").asInt()).append(" comm=").append(f.path("process").path("comm").asText());
        return sb.toString();
    }

    private static String side(JsonNode ep, String ip, int port) {
        String name = ep.path("container").path("name").asText();
        String where = ip.isEmpty() || ip.equals("0.0.0.0") || ip.equals("::") ? "" : ip + (port > 0 ? ":" + port : "");
        if (!name.isEmpty()) return name + (where.isEmpty() ? "" : "(" + where + ")");
        return where.isEmpty() ? "?" : where;
    }
}

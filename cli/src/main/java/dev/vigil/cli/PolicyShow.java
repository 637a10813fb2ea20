package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.Map;

/** The text form of GET /policies: the loaded policies, then per kind each target and what applies to it. */
final class PolicyShow {
    private PolicyShow() {}

    static void print(String json, PrintStream out) throws IOException {
        JsonNode top = new ObjectMapper().readTree(json);
        out.println("enforcement: " + top.path("enforcement").asText() + (top.path("audit_mode").asBoolean() ? " (audit mode)" : "")
                + ", pinned under " + top.path("pin_root").asText());
        out.println("policies:");
        for (JsonNode p : top.path("policies")) {
            out.println("  " + p.path("name").asText() + "  " + p.path("kind").asText() + "  " + p.path("defined_at").asText()
                    + (p.path("audit").asBoolean() ? "  (audit)" : ""));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = top.path("enforced").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> kind = it.next();
            out.println(kind.getKey() + ":");
            if (kind.getValue().isEmpty()) out.println("  (nothing selected)");
            for (JsonNode target : kind.getValue()) {
                StringBuilder sb = new StringBuilder("  ");
                for (Iterator<Map.Entry<String, JsonNode>> f = target.fields(); f.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = f.next();
                    sb.append(e.getKey()).append('=').append(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
                    if (f.hasNext()) sb.append("  ");
                }
                out.println(sb);
            }
        }
    }
}

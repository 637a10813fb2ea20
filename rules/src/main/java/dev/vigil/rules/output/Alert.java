package dev.vigil.rules.output;

import dev.vigil.rules.Priority;
import dev.vigil.rules.fields.FieldRegistry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One alert, in Falco's shape: {@code time}, {@code rule}, {@code priority}, {@code source}, {@code tags},
 * {@code output} ("TIME: Priority rule output"), {@code output_fields}, {@code hostname}.
 */
public record Alert(long timeNanos, String rule, Priority priority, String source, List<String> tags,
                    String output, Map<String, Object> outputFields, String hostname) {

    /** The JSON line Falco writes with json_output enabled (keys in Falco's order). */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostname", hostname);
        m.put("output", output);
        m.put("output_fields", outputFields);
        m.put("priority", priority.display());
        m.put("rule", rule);
        m.put("source", source);
        m.put("tags", tags);
        m.put("time", FieldRegistry.formatIso(timeNanos));
        StringBuilder sb = new StringBuilder(256);
        Json.value(sb, m);
        return sb.toString();
    }
}

package dev.vigil.agent.output;

import dev.vigil.agent.config.AgentConfig;
import dev.vigil.rules.fields.FieldRegistry;
import dev.vigil.rules.output.Alert;
import dev.vigil.rules.output.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Falco's JSON alert with its json_include_* switches: {@code output}, {@code tags}, {@code output_fields} (on by
 * default) and {@code message} (off by default: the output without its time and priority).
 */
public record JsonShape(boolean output, boolean tags, boolean message, boolean outputFields) {
    public static final JsonShape FALCO = new JsonShape(true, true, false, true);

    public static JsonShape of(AgentConfig c) {
        return new JsonShape(c.bool("json_include_output_property"), c.bool("json_include_tags_property"),
                c.bool("json_include_message_property"), c.bool("json_include_output_fields_property"));
    }

    public String json(Alert a) {
        if (this.equals(FALCO)) return a.toJson();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hostname", a.hostname());
        if (output) m.put("output", a.output());
        if (message) m.put("message", message(a));
        if (outputFields) m.put("output_fields", a.outputFields());
        m.put("priority", a.priority().display());
        m.put("rule", a.rule());
        m.put("source", a.source());
        if (tags) m.put("tags", a.tags());
        m.put("time", FieldRegistry.formatIso(a.timeNanos()));
        StringBuilder sb = new StringBuilder(256);
        Json.value(sb, m);
        return sb.toString();
    }

    /** The output after "TIME: Priority ". */
    static String message(Alert a) {
        String o = a.output();
        String head = ": " + a.priority().display() + " ";
        int i = o.indexOf(head);
        return i < 0 ? o : o.substring(i + head.length());
    }
}

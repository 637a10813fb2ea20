package dev.vigil.agent.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One item of Falco's {@code append_output} list: which alerts it applies to (every condition given must hold:
 * {@code match.source}, {@code match.tag} among the rule's tags, {@code match.rule} the rule's name), the text
 * appended to their output and the fields added to their output_fields ({@code extra_fields}: a field name, whose
 * value is the field's, or {@code NAME: FORMAT}). {@code suggested} is Falco's {@code suggested_output: true}: the
 * container plugin's suggested fields, which Vigil has built in. {@code literal}: the field values are text, not
 * formats (Falco's static_fields).
 */
public record AppendOutput(String source, String tag, String rule, String extraOutput, Map<String, String> extraFields,
                           boolean suggested, boolean literal) {
    /** The container plugin's suggested output, appended by {@code suggested_output: true} to syscall alerts. */
    public static final String SUGGESTED = "container_id=%container.id container_name=%container.name "
            + "container_image_repository=%container.image.repository container_image_tag=%container.image.tag "
            + "container_privileged=%container.privileged k8s_ns=%k8s.ns.name k8s_pod_name=%k8s.pod.name";

    public boolean matches(String alertSource, List<String> tags, String ruleName) {
        if (suggested && !"syscall".equals(alertSource)) return false;
        return (source == null || source.equals(alertSource)) && (tag == null || tags.contains(tag))
                && (rule == null || rule.equals(ruleName));
    }

    /** The items of a config value (a list, or Vigil's old single mapping {extra_output: TEXT}). */
    public static List<AppendOutput> parse(Object v) {
        List<AppendOutput> out = new ArrayList<>();
        for (Object o : items(v)) {
            Map<?, ?> m = (Map<?, ?>) o;
            Map<?, ?> match = m.get("match") instanceof Map<?, ?> mm ? mm : Map.of();
            Map<String, String> fields = new LinkedHashMap<>();
            if (m.get("extra_fields") instanceof List<?> l) {
                for (Object f : l) {
                    if (f instanceof Map<?, ?> fm) fm.forEach((k, val) -> fields.put(String.valueOf(k), String.valueOf(val)));
                    else fields.put(String.valueOf(f), "%" + f);
                }
            }
            String extra = m.get("extra_output") == null ? null : String.valueOf(m.get("extra_output"));
            boolean suggested = "true".equalsIgnoreCase(String.valueOf(m.get("suggested_output")));
            out.add(new AppendOutput(str(match.get("source")), str(match.get("tag")), str(match.get("rule")),
                    extra == null || extra.isBlank() ? null : extra, Map.copyOf(fields), suggested, false));
        }
        return List.copyOf(out);
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    private static List<?> items(Object v) {
        if (v instanceof List<?> l) return l;
        if (v instanceof Map<?, ?> m) return List.of(m);
        if (v == null || String.valueOf(v).isEmpty()) return List.of();
        return List.of(v);
    }

    /** Validates a config value; returns it as a list of items (maps). */
    static List<Object> check(Object v, String what) {
        List<Object> out = new ArrayList<>();
        for (Object o : items(v)) {
            if (!(o instanceof Map<?, ?> m)) throw new ConfigException(what + ": each item is a mapping, not '" + o + "'");
            for (Object k : m.keySet()) {
                if (!List.of("match", "extra_output", "extra_fields", "suggested_output").contains(String.valueOf(k))) {
                    throw new ConfigException(what + ": unknown item key '" + k + "' (match, extra_output, extra_fields, "
                            + "suggested_output)");
                }
            }
            if (m.get("match") != null) {
                if (!(m.get("match") instanceof Map<?, ?> match)) throw new ConfigException(what + ": match is a mapping");
                for (Object k : match.keySet()) {
                    if (!List.of("source", "tag", "rule").contains(String.valueOf(k))) {
                        throw new ConfigException(what + ": match takes source, tag and rule, not '" + k + "'");
                    }
                }
            }
            if (m.get("extra_fields") != null && !(m.get("extra_fields") instanceof List)) {
                throw new ConfigException(what + ": extra_fields is a list of field names or NAME: VALUE items");
            }
            out.add(o);
        }
        return List.copyOf(out);
    }
}

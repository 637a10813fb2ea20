package dev.vigil.agent.response;

import dev.vigil.agent.config.ConfigException;
import dev.vigil.rules.Priority;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One item of the {@code responses:} configuration: which alerts (rule names, with * and ? wildcards; tags; a
 * minimum priority; every given part must hold) and what to do to the process that raised them.
 *
 * <pre>
 * responses:
 *   - name: kill-web-shells
 *     rules: ["Run shell untrusted"]
 *     priority: notice
 *     action: kill            # kill | kill_process_group | stop_container | kill_container | program
 *     program: /usr/local/bin/page-oncall   # for action: program (the alert JSON on stdin)
 *     rate: 10                # actions per second (token bucket), max_burst: 20
 * </pre>
 */
public record ResponseRule(String name, List<String> rules, List<String> tags, Priority priority, Action action,
                           String program, double rate, int maxBurst) {

    public enum Action {
        KILL("kill"), KILL_PROCESS_GROUP("kill_process_group"), STOP_CONTAINER("stop_container"),
        KILL_CONTAINER("kill_container"), PROGRAM("program");

        public final String yamlName;

        Action(String yamlName) { this.yamlName = yamlName; }
    }

    private static final Set<String> KEYS = Set.of("name", "rules", "tags", "priority", "action", "program", "rate", "max_burst");

    /** Whether an alert of this rule, tags and priority is one to act on. */
    public boolean matches(String rule, List<String> alertTags, Priority p) {
        if (priority != null && p.ordinal() > priority.ordinal()) return false;
        if (!rules.isEmpty() && rules.stream().noneMatch(g -> glob(g, rule))) return false;
        return tags.isEmpty() || tags.stream().anyMatch(alertTags::contains);
    }

    static boolean glob(String pattern, String s) {
        return s.matches(java.util.regex.Pattern.quote(pattern).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q"));
    }

    /** The {@code responses} list, as the config reader gives it (maps of strings and lists). */
    public static List<ResponseRule> parse(Object raw, String where) {
        if (raw instanceof String s && s.isEmpty()) return List.of();
        if (!(raw instanceof List<?> items)) throw new ConfigException(where + " must be a list of responses");
        List<ResponseRule> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String at = where + "[" + i + "]";
            if (!(items.get(i) instanceof Map<?, ?> m)) throw new ConfigException(at + " must be a mapping (name, rules, action...)");
            for (Object k : m.keySet()) {
                if (!KEYS.contains(String.valueOf(k))) {
                    throw new ConfigException(at + ": unknown key '" + k + "' (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
                }
            }
            String name = m.containsKey("name") ? String.valueOf(m.get("name")) : "response-" + i;
            List<String> rules = strings(m.get("rules"), at + ".rules");
            List<String> tags = strings(m.get("tags"), at + ".tags");
            Priority p = null;
            if (m.containsKey("priority")) {
                p = Priority.parse(String.valueOf(m.get("priority")));
                if (p == null) throw new ConfigException(at + ".priority must be a Falco priority (emergency ... debug), not '" + m.get("priority") + "'");
            }
            if (rules.isEmpty() && tags.isEmpty() && p == null) {
                throw new ConfigException(at + " needs rules, tags or priority: a response to every alert is refused");
            }
            Object a = m.get("action");
            if (a == null) throw new ConfigException(at + " needs an action (kill, kill_process_group, stop_container, kill_container, program)");
            Action action = null;
            for (Action x : Action.values()) if (x.yamlName.equals(String.valueOf(a).toLowerCase(Locale.ROOT))) action = x;
            if (action == null) {
                throw new ConfigException(at + ".action must be kill, kill_process_group, stop_container, kill_container or program, not '" + a + "'");
            }
            String program = m.containsKey("program") ? String.valueOf(m.get("program")) : "";
            if (action == Action.PROGRAM && program.isBlank()) throw new ConfigException(at + ": action program needs program: COMMAND");
            if (action != Action.PROGRAM && !program.isBlank()) throw new ConfigException(at + ": program is only for action program");
            double rate = number(m.get("rate"), 10, at + ".rate");
            int burst = (int) number(m.get("max_burst"), 20, at + ".max_burst");
            out.add(new ResponseRule(name, rules, tags, p, action, program, rate, Math.max(1, burst)));
        }
        return List.copyOf(out);
    }

    private static List<String> strings(Object v, String where) {
        if (v == null) return List.of();
        if (v instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object o : l) {
                if (o instanceof List || o instanceof Map) throw new ConfigException(where + " must be a list of names");
                out.add(String.valueOf(o));
            }
            return List.copyOf(out);
        }
        if (v instanceof Map) throw new ConfigException(where + " must be a list of names");
        return List.of(String.valueOf(v));
    }

    private static double number(Object v, double def, String where) {
        if (v == null) return def;
        try {
            double d = Double.parseDouble(String.valueOf(v));
            if (d <= 0 || Double.isNaN(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new ConfigException(where + " must be a positive number, not '" + v + "'");
        }
    }
}

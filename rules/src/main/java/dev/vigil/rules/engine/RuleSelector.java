package dev.vigil.rules.engine;

import dev.vigil.rules.fields.Glob;

/**
 * One enable/disable step, by rule name or by tag, with {@code *}/{@code ?} wildcards (Falco's
 * {@code rules: - disable: {rule: "Write below*"}} / {@code - enable: {tag: network}}); steps apply in order.
 */
public record RuleSelector(boolean enable, boolean byTag, String pattern) {
    public static RuleSelector enableRule(String pattern) { return new RuleSelector(true, false, pattern); }

    public static RuleSelector disableRule(String pattern) { return new RuleSelector(false, false, pattern); }

    public static RuleSelector enableTag(String pattern) { return new RuleSelector(true, true, pattern); }

    public static RuleSelector disableTag(String pattern) { return new RuleSelector(false, true, pattern); }

    /** Whether this step applies to the rule. */
    public boolean selects(CompiledRule r) { return selects(r.name(), r.tags()); }

    /** Whether this step applies to an item (a rule or a correlation) with this name and tags. */
    public boolean selects(String name, java.util.List<String> tags) {
        if (!byTag) return Glob.matches(pattern, name, false);
        for (String t : tags) if (Glob.matches(pattern, t, false)) return true;
        return false;
    }
}

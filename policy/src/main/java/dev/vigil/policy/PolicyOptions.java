package dev.vigil.policy;

import java.util.Locale;
import java.util.Map;

/**
 * Agent-wide policy options. {@code enforcement} is Cilium's policy-enforcement mode: {@code default} restricts only
 * what a policy selects, {@code always} restricts everything (no policy: deny), {@code never} restricts nothing.
 * {@code audit}: every verdict computed and reported as AUDIT, nothing denied. {@code settings} carries kind-specific
 * values (e.g. the Docker socket) so the SPI does not grow a field per kind.
 */
public record PolicyOptions(Enforcement enforcement, boolean audit, Map<String, String> settings) {
    public enum Enforcement {
        DEFAULT, ALWAYS, NEVER;

        public static Enforcement parse(String s, String origin) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + ": policy_enforcement must be default, always or never, not '" + s + "'");
            }
        }

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PolicyOptions {
        settings = Map.copyOf(settings);
    }

    public static PolicyOptions defaults() {
        return new PolicyOptions(Enforcement.DEFAULT, false, Map.of());
    }

    public String setting(String key, String def) {
        return settings.getOrDefault(key, def);
    }
}

package dev.vigil.rules.engine;

import java.util.List;

/**
 * How rules are loaded and run: the hostname ({@code evt.hostname}, alerts), the match mode, and enable/disable
 * selectors applied after every load (from the command line and the config file).
 */
public record EngineOptions(String hostname, MatchMode matchMode, List<RuleSelector> selectors,
                            CorrelationLimits correlationLimits) {
    public EngineOptions {
        selectors = List.copyOf(selectors);
    }

    public EngineOptions(String hostname, MatchMode matchMode, List<RuleSelector> selectors) {
        this(hostname, matchMode, selectors, CorrelationLimits.DEFAULTS);
    }

    /**
     * Bounds on correlation items: the longest window a file may ask for, and the group keys tracked per
     * correlation when the item does not say ({@code max_keys}); items may ask for at most {@code maxKeysLimit}.
     */
    public record CorrelationLimits(long maxWindowNanos, int defaultMaxKeys, int maxKeysLimit) {
        public static final CorrelationLimits DEFAULTS = new CorrelationLimits(3_600_000_000_000L, 16_384, 1_048_576);
    }

    public EngineOptions withCorrelationLimits(CorrelationLimits l) { return new EngineOptions(hostname, matchMode, selectors, l); }

    public static EngineOptions defaults() {
        return new EngineOptions(localHostname(), MatchMode.ALL, List.of());
    }

    public EngineOptions withSelectors(List<RuleSelector> s) { return new EngineOptions(hostname, matchMode, s, correlationLimits); }

    public EngineOptions withMatchMode(MatchMode m) { return new EngineOptions(hostname, m, selectors, correlationLimits); }

    public EngineOptions withHostname(String h) { return new EngineOptions(h, matchMode, selectors, correlationLimits); }

    /** FALCO_HOSTNAME (as Falco), else HOSTNAME, else the host's name. */
    static String localHostname() {
        String h = System.getenv("FALCO_HOSTNAME");
        if (h != null && !h.isBlank()) return h;
        h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) return h;
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}

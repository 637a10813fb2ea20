package dev.vigil.rules.engine;

import java.util.List;

/**
 * How rules are loaded and run: the hostname ({@code evt.hostname}, alerts), the match mode, and enable/disable
 * selectors applied after every load (from the command line and the config file).
 */
public record EngineOptions(String hostname, MatchMode matchMode, List<RuleSelector> selectors) {
    public EngineOptions {
        selectors = List.copyOf(selectors);
    }

    public static EngineOptions defaults() {
        return new EngineOptions(localHostname(), MatchMode.ALL, List.of());
    }

    public EngineOptions withSelectors(List<RuleSelector> s) { return new EngineOptions(hostname, matchMode, s); }

    public EngineOptions withMatchMode(MatchMode m) { return new EngineOptions(hostname, m, selectors); }

    public EngineOptions withHostname(String h) { return new EngineOptions(h, matchMode, selectors); }

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

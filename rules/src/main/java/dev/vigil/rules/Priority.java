package dev.vigil.rules;

import java.util.Locale;

/** Falco's rule priorities, most severe first. */
public enum Priority {
    EMERGENCY("Emergency"), ALERT("Alert"), CRITICAL("Critical"), ERROR("Error"), WARNING("Warning"),
    NOTICE("Notice"), INFORMATIONAL("Informational"), DEBUG("Debug");

    private final String display;

    Priority(String display) { this.display = display; }

    /** The name Falco prints in outputs and JSON alerts ("Warning", "Informational"). */
    public String display() { return display; }

    /** Parses a priority case-insensitively; "INFO" is accepted for INFORMATIONAL. Null if unknown. */
    public static Priority parse(String s) {
        if (s == null) return null;
        String u = s.trim().toUpperCase(Locale.ROOT);
        if (u.equals("INFO")) return INFORMATIONAL;
        for (Priority p : values()) if (p.name().equals(u)) return p;
        return null;
    }
}

package dev.vigil.rules.correlation;

/** Window lengths as written in rule files: a whole number with a unit, {@code ms}, {@code s}, {@code m} or {@code h}. */
public final class Durations {
    private Durations() {}

    /** Nanoseconds, or -1 if the text is not a duration. */
    public static long parse(String text) {
        String s = text.trim();
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        if (i == 0 || i > 12) return -1;
        long n = Long.parseLong(s.substring(0, i));
        long unit = switch (s.substring(i).trim()) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> -1;
        };
        return unit < 0 ? -1 : n * unit;
    }

    /** The shortest exact form: "10s", "500ms", "2m". */
    public static String format(long nanos) {
        if (nanos % 3_600_000_000_000L == 0) return nanos / 3_600_000_000_000L + "h";
        if (nanos % 60_000_000_000L == 0) return nanos / 60_000_000_000L + "m";
        if (nanos % 1_000_000_000L == 0) return nanos / 1_000_000_000L + "s";
        return nanos / 1_000_000L + "ms";
    }
}

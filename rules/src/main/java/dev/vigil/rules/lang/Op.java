package dev.vigil.rules.lang;

/** The comparison operators of Falco's condition language. */
public enum Op {
    EQ("="), EQEQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="),
    CONTAINS("contains"), ICONTAINS("icontains"), BCONTAINS("bcontains"), STARTSWITH("startswith"),
    BSTARTSWITH("bstartswith"), ENDSWITH("endswith"), GLOB("glob"), IGLOB("iglob"), REGEX("regex"),
    IN("in"), INTERSECTS("intersects"), PMATCH("pmatch"), EXISTS("exists");

    private final String text;

    Op(String text) { this.text = text; }

    public String text() { return text; }

    /** Operators whose right-hand side is a parenthesized list. */
    public boolean isListOp() { return this == IN || this == INTERSECTS || this == PMATCH; }

    /**
     * The string operators that take a list modifier ({@code startswith anyof (...)}): libsinsp's string operators
     * (=, ==, !=, glob, iglob, contains, icontains, bcontains, startswith, bstartswith, endswith, regex).
     */
    public boolean takesModifier() {
        return switch (this) {
            case EQ, EQEQ, NE, CONTAINS, ICONTAINS, BCONTAINS, STARTSWITH, BSTARTSWITH, ENDSWITH, GLOB, IGLOB, REGEX -> true;
            default -> false;
        };
    }

    /** The operator spelled {@code s} (word operators case-sensitive, as in Falco), or null. */
    public static Op parse(String s) {
        for (Op o : values()) if (o.text.equals(s)) return o;
        return null;
    }
}

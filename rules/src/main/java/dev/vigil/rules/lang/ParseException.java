package dev.vigil.rules.lang;

/** A syntax error at an offset of the parsed text. */
public final class ParseException extends Exception {
    private final int offset;

    public ParseException(int offset, String message) {
        super(message, null, false, false);
        this.offset = offset;
    }

    public int offset() { return offset; }
}

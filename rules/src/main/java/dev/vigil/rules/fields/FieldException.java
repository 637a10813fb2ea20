package dev.vigil.rules.fields;

/** A field name or argument that cannot be resolved; the message is user-facing. */
public final class FieldException extends Exception {
    public FieldException(String message) { super(message, null, false, false); }
}

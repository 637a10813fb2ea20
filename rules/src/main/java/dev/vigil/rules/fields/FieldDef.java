package dev.vigil.rules.fields;

/**
 * A field as documented in the registry: Falco name, type, argument form, description, and whether Vigil can
 * give it a value (fields that need the Kubernetes API compile but never have one).
 */
public record FieldDef(String name, FieldType type, ArgMode arg, String description, boolean available) {
    /** The argument a field takes in brackets: {@code proc.aname[2]}, {@code proc.env[HOME]}. */
    public enum ArgMode {
        NONE, INDEX, KEY, INDEX_OR_KEY, OPTIONAL_INDEX, OPTIONAL_KEY,
        /** {@code evt.arg.NAME} / {@code evt.arg[NAME]} / {@code evt.arg[N]}. */
        DYNAMIC
    }

    public String argHint() {
        return switch (arg) {
            case NONE -> "";
            case INDEX -> "[N]";
            case KEY -> "[KEY]";
            case INDEX_OR_KEY -> "[N|KEY]";
            case OPTIONAL_INDEX -> "[N] (optional)";
            case OPTIONAL_KEY -> "[KEY] (optional)";
            case DYNAMIC -> ".NAME or [NAME|N]";
        };
    }
}

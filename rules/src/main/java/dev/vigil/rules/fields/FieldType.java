package dev.vigil.rules.fields;

/** Falco's field types (as {@code falco --list} prints them), grouped into the kinds predicates work on. */
public enum FieldType {
    CHARBUF(Kind.STRING), FSPATH(Kind.STRING), FSRELPATH(Kind.STRING), BYTEBUF(Kind.BYTES),
    INT64(Kind.NUMBER), UINT64(Kind.NUMBER), INT32(Kind.NUMBER), UINT32(Kind.NUMBER), UINT16(Kind.NUMBER),
    PORT(Kind.NUMBER), PID(Kind.NUMBER), UID(Kind.NUMBER), GID(Kind.NUMBER), RELTIME(Kind.NUMBER),
    ABSTIME(Kind.NUMBER), BOOL(Kind.BOOL), IPADDR(Kind.IP), IPNET(Kind.NET);

    /** What a value of the type is, for choosing operators and predicate implementations. */
    public enum Kind { STRING, BYTES, NUMBER, BOOL, IP, NET }

    private final Kind kind;

    FieldType(Kind kind) { this.kind = kind; }

    public Kind kind() { return kind; }
}

package dev.vigil.rules.lang;

import java.util.List;

/** A condition's syntax tree (before macros and lists are resolved). */
public sealed interface Expr {
    Loc loc();

    record And(List<Expr> terms, Loc loc) implements Expr {}

    record Or(List<Expr> terms, Loc loc) implements Expr {}

    record Not(Expr expr, Loc loc) implements Expr {}

    /** A bare identifier: a macro reference. */
    record MacroRef(String name, Loc loc) implements Expr {}

    /** {@code field op value}, or {@code field exists} (value null). */
    record Compare(FieldRef field, Op op, Operand value, Loc loc, Loc opLoc) implements Expr {}

    /** A constant (used for empty exception sets and the like). */
    record Const(boolean value, Loc loc) implements Expr {}

    /** The left side of a comparison: a field, or a transformer applied to one. */
    sealed interface FieldRef {
        Loc loc();

        /** The field name as written, for messages ("tolower(proc.name)"). */
        String text();
    }

    record Field(String name, String arg, Loc loc) implements FieldRef {
        @Override public String text() { return arg == null ? name : name + "[" + arg + "]"; }
    }

    record Transform(String function, FieldRef inner, Loc loc) implements FieldRef {
        @Override public String text() { return function + "(" + inner.text() + ")"; }
    }

    /** The right side of a comparison. */
    sealed interface Operand {
        Loc loc();
    }

    /** A literal; {@code quoted} when written in quotes (bare words inside lists may name lists). */
    record Literal(String value, boolean quoted, Loc loc) implements Operand {}

    record ListLit(List<Literal> items, Loc loc) implements Operand {}

    /** {@code val(field)}: compare with another field of the same event. */
    record FieldOperand(FieldRef field, Loc loc) implements Operand {}
}

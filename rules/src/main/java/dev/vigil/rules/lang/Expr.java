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
    sealed interface FieldRef extends CallArg {
        Loc loc();

        /** The field name as written, for messages ("tolower(proc.name)"). */
        String text();
    }

    /**
     * Falco's multi-value transformers: {@code join(sep, list)}, {@code concat(a, b, ...)} and
     * {@code getopt(args, optstring)}, the last with an optional option selector ({@code getopt(...)[t]}).
     */
    record Call(String function, List<CallArg> args, String selector, Loc loc) implements FieldRef {
        @Override public String text() {
            StringBuilder sb = new StringBuilder(function).append('(');
            for (int i = 0; i < args.size(); i++) sb.append(i == 0 ? "" : ", ").append(args.get(i).text());
            sb.append(')');
            if (selector != null) sb.append('[').append(selector).append(']');
            return sb.toString();
        }
    }

    /** An argument of a multi-value transformer: a field (or transformer), a literal, or a parenthesized list. */
    sealed interface CallArg {
        Loc loc();

        String text();
    }

    /** A quoted string or a number written as an argument. */
    record ArgLiteral(String value, Loc loc) implements CallArg {
        @Override public String text() { return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"'; }
    }

    /** {@code (a, b, ...)} as an argument: a list value. */
    record ArgList(List<CallArg> items, Loc loc) implements CallArg {
        @Override public String text() {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < items.size(); i++) sb.append(i == 0 ? "" : ", ").append(items.get(i).text());
            return sb.append(')').toString();
        }
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

    /** The list modifiers of the string operators: {@code op oneof (...)}, {@code op anyof (...)}, {@code op allof (...)}. */
    enum Modifier {
        /** Exactly one value satisfies the operator. */
        ONEOF,
        /** At least one value does. */
        ANYOF,
        /** Every value does (an empty list matches nothing). */
        ALLOF;

        public String text() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** {@code op oneof|anyof|allof (v1, v2, ...)}: the operator applied to each value, combined by the modifier. */
    record Modified(Modifier modifier, ListLit list, Loc loc) implements Operand {}
}

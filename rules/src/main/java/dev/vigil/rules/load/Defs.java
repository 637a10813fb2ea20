package dev.vigil.rules.load;

import dev.vigil.rules.Priority;
import dev.vigil.rules.SourcePos;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The definitions collected from the YAML files, with overrides and appends applied in load order. */
final class Defs {
    private Defs() {}

    static final class ListDef {
        final String name;
        final SourcePos pos;
        final List<String> items = new ArrayList<>();

        ListDef(String name, SourcePos pos) {
            this.name = name;
            this.pos = pos;
        }
    }

    static final class MacroDef {
        final String name;
        final SourcePos pos;
        final List<Text> condition = new ArrayList<>();

        MacroDef(String name, SourcePos pos) {
            this.name = name;
            this.pos = pos;
        }
    }

    /** One exception: fields (one, or a tuple), comparison operators, and value tuples. */
    static final class ExceptionDef {
        final String name;
        final SourcePos pos;
        List<Text> fields = List.of();
        boolean fieldsIsList;
        List<Text> comps = List.of();
        boolean compsGiven;
        final List<List<Value>> values = new ArrayList<>();

        ExceptionDef(String name, SourcePos pos) {
            this.name = name;
            this.pos = pos;
        }
    }

    /** An exception value: a scalar or a list of scalars (for in/pmatch/intersects). */
    record Value(Text scalar, List<Text> list, SourcePos pos) {}

    /**
     * What a rule and a correlation have alike, and how an override merges those keys, so the two item kinds
     * cannot drift apart in their override semantics (an appended exception merges its values into the one of
     * that name, for both).
     */
    abstract static class ItemDef {
        final String name;
        final SourcePos pos;
        final List<Text> condition = new ArrayList<>();
        final List<Text> output = new ArrayList<>();
        String desc = "";
        Priority priority;
        boolean enabled = true;
        final Set<String> tags = new LinkedHashSet<>();
        final List<ExceptionDef> exceptions = new ArrayList<>();
        /** Had errors in its definition: never loaded. */
        boolean broken;

        ItemDef(String name, SourcePos pos) {
            this.name = name;
            this.pos = pos;
        }

        /** "rule" or "correlation", for messages. */
        abstract String kind();

        /** Merges {@code key} of {@code from} into this one (append or replace); false when the key is not a shared one. */
        boolean applyShared(ItemDef from, String key, boolean append, Diags d) {
            switch (key) {
                case "condition" -> appendOrReplace(condition, from.condition, append);
                case "output" -> appendOrReplace(output, from.output, append);
                case "desc" -> desc = append ? desc + " " + from.desc : from.desc;
                case "priority" -> priority = from.priority;
                case "tags" -> {
                    if (!append) tags.clear();
                    tags.addAll(from.tags);
                }
                case "enabled" -> enabled = from.enabled;
                case "exceptions" -> {
                    if (append) appendExceptions(from.exceptions, d);
                    else appendOrReplace(exceptions, from.exceptions, false);
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        private static <T> void appendOrReplace(List<T> into, List<T> from, boolean append) {
            if (!append) into.clear();
            into.addAll(from);
        }

        /** A new exception needs its fields; one that exists may only get more values. */
        private void appendExceptions(List<ExceptionDef> added, Diags d) {
            for (ExceptionDef ne : added) {
                ExceptionDef old = null;
                for (ExceptionDef x : exceptions) if (x.name.equals(ne.name)) old = x;
                if (old == null) {
                    if (ne.fields.isEmpty()) {
                        d.error(ne.pos, "exception '" + ne.name + "' is not defined in " + kind() + " '" + name + "' and has no fields");
                        continue;
                    }
                    exceptions.add(ne);
                } else if (!ne.fields.isEmpty()) {
                    d.error(ne.pos, "exception '" + ne.name + "' already exists in " + kind() + " '" + name + "': an append may only add values");
                } else {
                    old.values.addAll(ne.values);
                }
            }
        }
    }

    static final class RuleDef extends ItemDef {
        String source = "syscall";
        boolean warnEvttypes = true;
        boolean skipIfUnknownFilter;
        /** Falco 0.44 capture keys (kept; not acted on: captures are vigil capture). */
        boolean capture;
        long captureDurationMs = -1;

        RuleDef(String name, SourcePos pos) {
            super(name, pos);
        }

        @Override
        String kind() { return "rule"; }
    }
}

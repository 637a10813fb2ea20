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

    static final class RuleDef {
        final String name;
        final SourcePos pos;
        final List<Text> condition = new ArrayList<>();
        final List<Text> output = new ArrayList<>();
        String desc = "";
        Priority priority;
        boolean enabled = true;
        final Set<String> tags = new LinkedHashSet<>();
        String source = "syscall";
        final List<ExceptionDef> exceptions = new ArrayList<>();
        boolean warnEvttypes = true;
        boolean skipIfUnknownFilter;
        /** Falco 0.44 capture keys (kept; not acted on: captures are vigil capture). */
        boolean capture;
        long captureDurationMs = -1;
        /** Had errors in its definition: checked further, never loaded. */
        boolean broken;

        RuleDef(String name, SourcePos pos) {
            this.name = name;
            this.pos = pos;
        }
    }
}

package dev.vigil.rules.correlation;

import dev.vigil.events.EventView;
import dev.vigil.rules.compile.Compiler;
import dev.vigil.rules.fields.Extractor;
import dev.vigil.rules.lang.Expr;
import dev.vigil.rules.lang.Loc;
import dev.vigil.rules.lang.ParseException;
import dev.vigil.rules.lang.Parser;
import dev.vigil.rules.lang.SourceMap;
import dev.vigil.rules.output.OutputFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A correlation's output: ordinary Falco output text (fields of the event that completed the correlation) with
 * {@code %corr.count}, {@code %corr.values}, {@code %corr.suppressed}, {@code %corr.window} and
 * {@code %STEP.FIELD} (a field of the event that matched step STEP, kept when it matched) in between.
 */
public final class CorrelationOutput {
    /** The {@code %corr.*} fields. */
    enum CorrField {
        COUNT("count"), VALUES("values"), SUPPRESSED("suppressed"), WINDOW("window");

        final String field;

        CorrField(String field) { this.field = field; }

        static CorrField of(String f) {
            for (CorrField c : values()) if (c.field.equals(f)) return c;
            return null;
        }
    }

    sealed interface Part {}

    /** Ordinary output text and fields of the completing event. */
    record Text(OutputFormat format) implements Part {}

    record Corr(CorrField field) implements Part {}

    /** A field of step {@code step}, kept at index {@code kept}; {@code name} as written ("dropped.proc.cmdline"). */
    record StepField(int step, int kept, String name) implements Part {}

    private final String source;
    private final Part[] parts;

    private CorrelationOutput(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts.toArray(Part[]::new);
    }

    public String source() { return source; }

    Part[] parts() { return parts; }

    /**
     * Compiles the output; {@code steps} are the correlation's steps ({@code %name.field} refers to one; for the
     * last step, and for counts, the completing event's field is read directly). Problems go to the reporter;
     * returns null if there was one.
     */
    public static CorrelationOutput compile(String text, SourceMap map, List<Correlation.Step> steps, boolean sequence,
                                            Compiler compiler, Compiler.Reporter reporter) {
        List<Part> parts = new ArrayList<>();
        boolean ok = true;
        int chunkStart = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '%') {
                i++;
                continue;
            }
            if (i + 1 < text.length() && text.charAt(i + 1) == '%') {
                i += 2;
                continue;
            }
            int s = i + 1, e = s;
            while (e < text.length() && (Character.isLetterOrDigit(text.charAt(e)) || text.charAt(e) == '_')) e++;
            String head = text.substring(s, e);
            boolean dotted = e < text.length() && text.charAt(e) == '.';
            int stepIndex = -1;
            for (int k = 0; k < steps.size(); k++) if (steps.get(k).name().equals(head)) stepIndex = k;
            if (!dotted || (!head.equals("corr") && (stepIndex < 0 || !sequence))) {
                i = e;
                continue;
            }
            // a correlation token: compile the ordinary text before it
            ok &= addText(parts, text, chunkStart, i, map, compiler, reporter);
            int fs = e + 1;
            if (head.equals("corr")) {
                int fe = fs;
                while (fe < text.length() && (Character.isLetterOrDigit(text.charAt(fe)) || text.charAt(fe) == '_')) fe++;
                CorrField cf = CorrField.of(text.substring(fs, fe));
                if (cf == null) {
                    reporter.error(new Loc(map, i), "unknown correlation field '%corr." + text.substring(fs, fe)
                            + "' (known: %corr.count, %corr.values, %corr.suppressed, %corr.window)");
                    ok = false;
                } else {
                    parts.add(new Corr(cf));
                }
                i = chunkStart = fe;
                continue;
            }
            int[] end = new int[1];
            Expr.FieldRef ref;
            try {
                ref = Parser.parseFieldRefAt(text, fs, map, end);
            } catch (ParseException pe) {
                reporter.error(new Loc(map, pe.offset()), "in output: " + pe.getMessage());
                ok = false;
                i = chunkStart = Math.max(fs, pe.offset() + 1);
                continue;
            }
            int fieldEnd = end[0];
            if (ref instanceof Expr.Field f && f.arg() == null) {
                // as in Falco's outputs, a trailing dot ends the field ("%run.proc.name.")
                String n = f.name();
                while (n.endsWith(".")) {
                    n = n.substring(0, n.length() - 1);
                    fieldEnd--;
                }
                ref = new Expr.Field(n, null, f.loc());
            }
            Extractor x = compiler.resolveField(ref);
            if (x == null) {
                ok = false;
            } else {
                Correlation.Step st = steps.get(stepIndex);
                parts.add(new StepField(stepIndex, st.keep(x), head + "." + x.name()));
            }
            i = chunkStart = fieldEnd;
        }
        ok &= addText(parts, text, chunkStart, text.length(), map, compiler, reporter);
        return ok ? new CorrelationOutput(text, parts) : null;
    }

    private static boolean addText(List<Part> parts, String text, int from, int to, SourceMap map, Compiler compiler,
                                   Compiler.Reporter reporter) {
        if (from >= to) return true;
        SourceMap shifted = off -> map.pos(from + off);
        OutputFormat f = OutputFormat.compile(text.substring(from, to), shifted, compiler, reporter);
        if (f == null) return false;
        parts.add(new Text(f));
        return true;
    }

    /** What the parts render from: the completing event and the key's state. */
    interface Values {
        void appendCorr(CorrField f, StringBuilder sb);

        Object corrJson(CorrField f);

        /** Appends step {@code step}'s kept field; false when it had no value. */
        boolean appendStep(int step, int kept, StringBuilder sb, EventView e);
    }

    void appendTo(EventView e, Values v, StringBuilder sb) {
        for (Part p : parts) {
            switch (p) {
                case Text t -> t.format().appendTo(e, sb);
                case Corr c -> v.appendCorr(c.field(), sb);
                case StepField s -> {
                    if (!v.appendStep(s.step(), s.kept(), sb, e)) sb.append(OutputFormat.NA);
                }
            }
        }
    }

    void putValues(EventView e, Values v, Map<String, Object> out) {
        for (Part p : parts) {
            switch (p) {
                case Text t -> t.format().values(e).forEach(out::putIfAbsent);
                case Corr c -> out.putIfAbsent("corr." + c.field().field, v.corrJson(c.field()));
                case StepField s -> {
                    StringBuilder sb = new StringBuilder();
                    out.putIfAbsent(s.name(), v.appendStep(s.step(), s.kept(), sb, e) ? sb.toString() : null);
                }
            }
        }
    }
}

package dev.vigil.rules.output;

import dev.vigil.events.EventView;
import dev.vigil.rules.compile.Compiler;
import dev.vigil.rules.fields.Extractor;
import dev.vigil.rules.lang.Expr;
import dev.vigil.rules.lang.Loc;
import dev.vigil.rules.lang.ParseException;
import dev.vigil.rules.lang.Parser;
import dev.vigil.rules.lang.SourceMap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule's compiled output string: literal text and {@code %field} / {@code %transformer(field)} references,
 * each resolved once. Missing values print as {@code <NA>}, as in Falco. Formatting allocates; it only runs for
 * events that matched.
 */
public final class OutputFormat {
    public static final String NA = "<NA>";

    private final String source;
    private final String[] literals; // literals[i] precedes fields[i]; one more literal than fields
    private final Extractor[] fields;

    private OutputFormat(String source, List<String> literals, List<Extractor> fields) {
        this.source = source;
        this.literals = literals.toArray(String[]::new);
        this.fields = fields.toArray(Extractor[]::new);
    }

    /** The output text as written. */
    public String source() { return source; }

    /** The fields referenced, in order. */
    public List<Extractor> fields() { return List.of(fields); }

    /**
     * Compiles {@code text}; unknown fields and syntax problems go to the compiler's reporter with their position
     * (through {@code map}). Returns null if there was a problem.
     */
    public static OutputFormat compile(String text, SourceMap map, Compiler compiler, Compiler.Reporter reporter) {
        // Falco's legacy %container.info placeholder
        String expanded = text.replace("%container.info", "container_id=%container.id container_name=%container.name");
        List<String> lits = new ArrayList<>();
        List<Extractor> xs = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        boolean ok = true;
        int i = 0;
        while (i < expanded.length()) {
            char c = expanded.charAt(i);
            if (c != '%') {
                lit.append(c);
                i++;
                continue;
            }
            if (i + 1 < expanded.length() && expanded.charAt(i + 1) == '%') {
                lit.append('%');
                i += 2;
                continue;
            }
            int start = i + 1;
            if (start >= expanded.length() || !Character.isLetter(expanded.charAt(start))) {
                lit.append('%');
                i++;
                continue;
            }
            int e = start;
            while (e < expanded.length() && (Character.isLetterOrDigit(expanded.charAt(e)) || expanded.charAt(e) == '_' || expanded.charAt(e) == '.')) e++;
            while (e > start && expanded.charAt(e - 1) == '.') e--;
            String word = expanded.substring(start, e);
            boolean transformer = Parser.isTransformer(word) && e < expanded.length() && expanded.charAt(e) == '(';
            if (!transformer && word.indexOf('.') < 0) {
                reporter.error(new Loc(map, i), "invalid output field '%" + word + "' (field names have a class, like %proc.name)");
                ok = false;
                lit.append('%').append(word);
                i = e;
                continue;
            }
            Expr.FieldRef ref;
            int[] end = new int[1];
            try {
                ref = Parser.parseFieldRefAt(expanded, start, map, end);
            } catch (ParseException pe) {
                reporter.error(new Loc(map, pe.offset()), "in output: " + pe.getMessage());
                ok = false;
                lit.append(expanded, i, e);
                i = e;
                continue;
            }
            if (ref instanceof Expr.Field f && f.arg() == null && !f.name().equals(word)) {
                // the parser reads trailing dots into the name; Falco stops at the longest field
                ref = new Expr.Field(word, null, f.loc());
                end[0] = e;
            }
            Extractor x = compiler.resolveField(ref);
            if (x == null) {
                ok = false;
            }
            lits.add(lit.toString());
            lit.setLength(0);
            xs.add(x);
            i = end[0];
        }
        lits.add(lit.toString());
        if (!ok) return null;
        return new OutputFormat(text, lits, xs);
    }

    /** Appends the formatted output. */
    public void appendTo(EventView e, StringBuilder sb) {
        for (int i = 0; i < fields.length; i++) {
            sb.append(literals[i]);
            if (!fields[i].append(e, sb)) sb.append(NA);
        }
        sb.append(literals[fields.length]);
    }

    public String format(EventView e) {
        StringBuilder sb = new StringBuilder(source.length() + 64);
        appendTo(e, sb);
        return sb.toString();
    }

    /** Field name (as written) to value: String, Long, Boolean or null; for the JSON alert's output_fields. */
    public Map<String, Object> values(EventView e) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Extractor x : fields) m.putIfAbsent(x.name(), x.jsonValue(e));
        return m;
    }

    /** Compiles an output format with no position information (for programmatic use). */
    public static OutputFormat of(String text) {
        List<String> errors = new ArrayList<>();
        Compiler.Reporter r = new Compiler.Reporter() {
            @Override public void error(Loc loc, String message) { errors.add(message); }
            @Override public void warning(Loc loc, String message) { }
        };
        OutputFormat f = compile(text, SourceMap.fixed(dev.vigil.rules.SourcePos.UNKNOWN), Compiler.standalone(r), r);
        if (f == null) throw new IllegalArgumentException(String.join("; ", errors));
        return f;
    }
}

package dev.vigil.rules.compile;

import dev.vigil.events.EventView;
import dev.vigil.rules.fields.Extractor;
import dev.vigil.rules.fields.FieldException;
import dev.vigil.rules.fields.FieldType;
import dev.vigil.rules.fields.Scratch;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * libsinsp's multi-value transformers and the list values they work on, with libsinsp's rules:
 * <ul>
 *   <li>{@code join(sep, list)}: the list's values joined by the separator (a single value);</li>
 *   <li>{@code concat(a, b, ...)}: at least two single string values concatenated;</li>
 *   <li>{@code getopt(args, optstring)}: {@code args} parsed as getopt(3) does with {@code optstring}; a list of
 *       option characters, each followed by its value when it takes one, and {@code ?} for an unknown option;
 *       {@code getopt(...)[c]} is the value (or, for a flag, the name) of the last {@code -c}, absent if none.</li>
 * </ul>
 * A list is a parenthesized list of fields, transformers, quoted strings and numbers, or {@code getopt()}; the
 * single-value transformers apply to each value of a list ({@code len} counts them), and a list compares only
 * with {@code in}, {@code intersects} and {@code exists}. Unlike the single-value extractors these allocate (a
 * list per evaluation): they are for the rare rule that needs them.
 */
final class MultiValue {
    private MultiValue() {}

    /** A list-valued extractor (libsinsp's list fields). */
    abstract static class ListValue extends Extractor {
        ListValue(String name) { super(name, FieldType.CHARBUF); }

        /** Appends the values, in order, to {@code out}; false when the list is absent. */
        abstract boolean values(EventView e, List<String> out);

        /** As libsinsp prints a list: {@code (a,b,c)}. */
        @Override public CharSequence str(EventView e) {
            List<String> vs = new ArrayList<>();
            if (!values(e, vs)) return null;
            return "(" + String.join(",", vs) + ")";
        }

        @Override public boolean exists(EventView e) { return values(e, new ArrayList<>()); }
    }

    /** A quoted string or a number written as an argument. */
    static final class Constant extends Extractor {
        final String value;

        Constant(String value) {
            super('"' + value + '"', FieldType.CHARBUF);
            this.value = value;
        }

        @Override public CharSequence str(EventView e) { return value; }
    }

    /** A parenthesized list; a list-valued item contributes its values. Absent when an item is absent. */
    static ListValue list(String name, List<Extractor> items) {
        Extractor[] xs = items.toArray(Extractor[]::new);
        return new ListValue(name) {
            @Override boolean values(EventView e, List<String> out) {
                StringBuilder sb = new StringBuilder();
                for (Extractor x : xs) {
                    if (x instanceof ListValue lv) {
                        if (!lv.values(e, out)) return false;
                        continue;
                    }
                    sb.setLength(0);
                    if (!x.append(e, sb)) return false;
                    out.add(sb.toString());
                }
                return true;
            }
        };
    }

    /** The transformer {@code fn} over each value of a list ({@code len}: how many values). */
    static Extractor overList(String fn, ListValue in) throws FieldException {
        String name = fn + "(" + in.name() + ")";
        if (fn.equals("len")) {
            return new Extractor(name, FieldType.UINT64) {
                @Override public long num(EventView e) {
                    List<String> vs = new ArrayList<>();
                    return in.values(e, vs) ? vs.size() : EventView.ABSENT;
                }
            };
        }
        Current current = new Current();
        Extractor each = Transformers.wrap(fn, current);
        return new ListValue(name) {
            @Override boolean values(EventView e, List<String> out) {
                List<String> vs = new ArrayList<>();
                if (!in.values(e, vs)) return false;
                for (String v : vs) {
                    current.value.set(v);
                    CharSequence t = each.str(e);
                    if (t == null) return false;
                    out.add(t.toString());
                }
                return true;
            }
        };
    }

    /** The value of a list being transformed, per thread. */
    private static final class Current extends Extractor {
        final ThreadLocal<String> value = new ThreadLocal<>();

        Current() { super("", FieldType.CHARBUF); }

        @Override public CharSequence str(EventView e) { return value.get(); }
    }

    private static boolean isList(Extractor x) { return x instanceof ListValue; }

    /** Builds {@code fn(args)[selector]}; problems are libsinsp's messages. */
    static Extractor build(String fn, String text, List<Extractor> args, String selector) throws FieldException {
        if (selector != null && !fn.equals("getopt")) throw new FieldException("transformer '" + fn + "' does not support field arguments");
        return switch (fn) {
            case "join" -> join(text, args);
            case "concat" -> concat(text, args);
            case "getopt" -> getopt(text, args, selector);
            default -> throw new FieldException("unknown transformer '" + fn + "'");
        };
    }

    private static Extractor join(String text, List<Extractor> args) throws FieldException {
        if (args.size() != 2) throw new FieldException("join() requires exactly 2 arguments: separator and list");
        Extractor sep = args.get(0);
        if (isList(sep)) throw new FieldException("join() first argument (separator) must be a single value, not a list");
        if (!(args.get(1) instanceof ListValue list)) throw new FieldException("join() second argument must be a list");
        Scratch scratch = new Scratch();
        return new Extractor(text, FieldType.CHARBUF) {
            @Override public CharSequence str(EventView e) {
                List<String> vs = new ArrayList<>();
                if (!list.values(e, vs)) return null;
                StringBuilder sb = scratch.get();
                if (!sep.append(e, sb)) return null;
                String s = sb.toString();
                sb.setLength(0);
                for (int i = 0; i < vs.size(); i++) {
                    if (i > 0) sb.append(s);
                    sb.append(vs.get(i));
                }
                return sb;
            }
        };
    }

    private static Extractor concat(String text, List<Extractor> args) throws FieldException {
        if (args.size() < 2) throw new FieldException("concat() requires at least 2 arguments");
        for (Extractor a : args) {
            if (isList(a) || a.type().kind() != FieldType.Kind.STRING) throw new FieldException("concat() arguments must be strings");
        }
        Extractor[] xs = args.toArray(Extractor[]::new);
        Scratch scratch = new Scratch();
        return new Extractor(text, FieldType.CHARBUF) {
            @Override public CharSequence str(EventView e) {
                StringBuilder sb = scratch.get();
                for (Extractor x : xs) {
                    CharSequence s = x.str(e);
                    if (s == null) return null;
                    sb.append(s);
                }
                return sb;
            }
        };
    }

    /** A decoded getopt(3) optstring: the valid option characters, those taking a value. */
    record OptString(boolean[] valid, boolean[] withArg) {
        static OptString parse(CharSequence opt) {
            boolean[] valid = new boolean[256], withArg = new boolean[256];
            int i = opt.length() > 0 && opt.charAt(0) == ':' ? 1 : 0; // a leading ':' only changes error reporting
            for (; i < opt.length(); i++) {
                char c = opt.charAt(i);
                if (c == ':' || c > 255) continue;
                valid[c] = true;
                if (i + 1 < opt.length() && opt.charAt(i + 1) == ':') {
                    withArg[c] = true;
                    i++;
                }
            }
            return new OptString(valid, withArg);
        }
    }

    private static Extractor getopt(String text, List<Extractor> args, String selector) throws FieldException {
        if (args.size() != 2) throw new FieldException("getopt() requires exactly 2 arguments: args list and optstring");
        if (!(args.get(0) instanceof ListValue argv)) throw new FieldException("getopt() first argument must be a list");
        Extractor optX = args.get(1);
        if (isList(optX)) throw new FieldException("getopt() second argument (optstring) must be a single value");
        if (optX.type().kind() != FieldType.Kind.STRING) throw new FieldException("getopt() arguments must be strings");
        if (selector != null && selector.length() != 1) throw new FieldException("getopt() field argument must be a single option character");
        // a literal optstring is decoded once, here
        OptString fixed = optX instanceof Constant k ? OptString.parse(k.value) : null;
        char sel = selector == null ? 0 : selector.charAt(0);
        if (selector == null) {
            return new ListValue(text) {
                @Override boolean values(EventView e, List<String> out) {
                    String[] one = new String[1];
                    return parse(e, argv, optX, fixed, false, (char) 0, out, one);
                }
            };
        }
        return new Extractor(text, FieldType.CHARBUF) {
            @Override public CharSequence str(EventView e) {
                String[] one = new String[1];
                return parse(e, argv, optX, fixed, true, sel, null, one) ? one[0] : null;
            }
        };
    }

    /**
     * getopt(3)'s scan, as libsinsp does it: stops at "--" and at the first non-option (POSIX, no permutation),
     * skips long options ("--exec"), expands clusters ("-nt"), takes an option's value from the rest of its token
     * or from the next one; a missing value is "". With a selector, only the last match is kept.
     */
    static boolean parse(EventView e, ListValue argv, Extractor optX, OptString fixed, boolean hasSel, char sel,
                         List<String> out, String[] selected) {
        OptString opts = fixed;
        if (opts == null) {
            CharSequence o = optX.str(e);
            if (o == null) return false;
            opts = OptString.parse(o);
        }
        List<String> vs = new ArrayList<>();
        if (!argv.values(e, vs)) return false;
        for (int ai = 0; ai < vs.size(); ai++) {
            String arg = vs.get(ai);
            if (arg.equals("--")) break;
            if (arg.length() > 2 && arg.charAt(0) == '-' && arg.charAt(1) == '-') continue;
            if (arg.isEmpty() || arg.charAt(0) != '-' || arg.length() == 1) break;
            for (int i = 1; i < arg.length(); i++) {
                char opt = arg.charAt(i);
                boolean valid = opt != ':' && opt < 256 && opts.valid[opt];
                if (!valid) {
                    if (!hasSel) out.add("?");
                    continue;
                }
                boolean match = !hasSel || opt == sel;
                boolean takesArg = opts.withArg[opt];
                String name = arg.substring(i, i + 1);
                if (match && !takesArg) emit(hasSel, out, selected, name, null);
                if (!takesArg) continue;
                String value = null;
                if (i + 1 < arg.length()) value = arg.substring(i + 1);
                else if (ai + 1 < vs.size()) value = vs.get(++ai);
                if (value == null) {
                    if (match) emit(hasSel, out, selected, "", null);
                    break;
                }
                if (match) emit(hasSel, out, selected, name, value);
                break;
            }
        }
        return !hasSel || selected[0] != null;
    }

    private static void emit(boolean hasSel, List<String> out, String[] selected, String name, String value) {
        if (hasSel) {
            selected[0] = value != null ? value : name;
            return;
        }
        out.add(name);
        if (value != null) out.add(value);
    }

    /** A list compared with a list: {@code in} (every value is in it) or {@code intersects} (one is). */
    static final class ListIn extends Pred {
        final ListValue x;
        final Set<String> set;
        final boolean every;

        ListIn(ListValue x, List<String> rhs, boolean every) {
            this.x = x;
            this.set = new HashSet<>(rhs);
            this.every = every;
        }

        @Override int cost() { return 40; }

        @Override public boolean test(EventView e, Ctx c) {
            List<String> vs = new ArrayList<>();
            if (!x.values(e, vs)) return false;
            for (String v : vs) {
                boolean in = set.contains(v);
                if (every && !in) return false;
                if (!every && in) return true;
            }
            return every;
        }
    }

    /** {@code oneof}: exactly one of the comparisons holds. */
    static final class ExactlyOne extends Pred {
        final Pred[] ps;

        ExactlyOne(Pred[] ps) { this.ps = ps; }

        @Override int cost() {
            int c = 0;
            for (Pred p : ps) c += p.cost();
            return c;
        }

        @Override boolean hasTypeTest() {
            for (Pred p : ps) if (p.hasTypeTest()) return true;
            return false;
        }

        @Override Pred specialize(int typeId) {
            Pred[] qs = new Pred[ps.length];
            boolean changed = false;
            for (int i = 0; i < ps.length; i++) {
                qs[i] = ps[i].specialize(typeId);
                changed |= qs[i] != ps[i];
            }
            return changed ? new ExactlyOne(qs) : this;
        }

        @Override public boolean test(EventView e, Ctx c) {
            int n = 0;
            for (Pred p : ps) if (p.test(e, c) && ++n > 1) return false;
            return n == 1;
        }
    }
}

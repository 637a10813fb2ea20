package dev.vigil.rules.lang;

import dev.vigil.rules.lang.Expr.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser for Falco conditions. Precedence, loosest first: {@code or}, {@code and}, {@code not},
 * then checks and parenthesized groups. Chains of {@code and}/{@code or} are parsed iteratively; nesting of
 * parentheses and {@code not} is limited to {@link #MAX_DEPTH} and text to {@link #MAX_LENGTH}, so hostile input
 * gives a clean error, never a stack overflow.
 */
public final class Parser {
    public static final int MAX_DEPTH = 100;
    public static final int MAX_LENGTH = 200_000;
    public static final Set<String> TRANSFORMERS = Set.of("tolower", "toupper", "b64", "basename", "len");
    /** The transformers of several arguments (libsinsp's multi-value transformers). */
    public static final Set<String> MULTI_TRANSFORMERS = Set.of("join", "concat", "getopt");

    /** Whether {@code word(} starts a transformer. */
    public static boolean isTransformer(String word) { return TRANSFORMERS.contains(word) || MULTI_TRANSFORMERS.contains(word); }

    private final String s;
    private final SourceMap src;
    private int pos;
    private int depth;

    private Parser(String s, SourceMap src) {
        this.s = s;
        this.src = src;
    }

    /** Parses a whole condition. */
    public static Expr parseCondition(String text, SourceMap src) throws ParseException {
        if (text.length() > MAX_LENGTH) {
            throw new ParseException(0, "condition is too long (" + text.length() + " characters, the limit is " + MAX_LENGTH + ")");
        }
        Parser p = new Parser(text, src);
        p.ws();
        if (p.pos >= text.length()) throw new ParseException(0, "empty condition");
        Expr e = p.or();
        p.ws();
        if (p.pos < text.length()) throw p.error("unexpected '" + p.token() + "'" + p.hintAfter());
        return e;
    }

    /** Parses a field reference alone ("proc.aname[2]", "tolower(fd.name)"), e.g. an exception's field. */
    public static FieldRef parseFieldRef(String text, SourceMap src) throws ParseException {
        Parser p = new Parser(text, src);
        p.ws();
        FieldRef f = p.fieldRef();
        p.ws();
        if (p.pos < text.length()) throw p.error("unexpected '" + p.token() + "' after field");
        return f;
    }

    /** Parses a field reference at {@code offset}; returns it and stores the end offset in {@code end[0]}. */
    public static FieldRef parseFieldRefAt(String text, int offset, SourceMap src, int[] end) throws ParseException {
        Parser p = new Parser(text, src);
        p.pos = offset;
        FieldRef f = p.fieldRef();
        end[0] = p.pos;
        return f;
    }

    private ParseException error(String msg) { return new ParseException(pos, msg); }

    private String hintAfter() {
        return "";
    }

    /** The next token-ish text, for messages. */
    private String token() {
        if (pos >= s.length()) return "end of condition";
        int e = pos;
        if (isWordChar(s.charAt(e))) {
            while (e < s.length() && isWordChar(s.charAt(e)) && e - pos < 40) e++;
        } else {
            e++;
        }
        return s.substring(pos, e);
    }

    private void ws() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b || c == '\b') pos++;
            else break;
        }
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    /** Accepts keyword {@code kw} at the current position if it stands alone (followed by space, '(' or end). */
    private boolean keyword(String kw) {
        ws();
        if (!s.startsWith(kw, pos)) return false;
        int e = pos + kw.length();
        if (e < s.length() && (isWordChar(s.charAt(e)) || s.charAt(e) == '[')) return false;
        pos = e;
        return true;
    }

    private Expr or() throws ParseException {
        int start = pos;
        Expr first = and();
        if (!peekKeyword("or")) return first;
        List<Expr> terms = new ArrayList<>();
        terms.add(first);
        while (keyword("or")) {
            ws();
            terms.add(and());
        }
        return new Or(List.copyOf(terms), new Loc(src, start));
    }

    private boolean peekKeyword(String kw) {
        int save = pos;
        boolean r = keyword(kw);
        pos = save;
        return r;
    }

    private Expr and() throws ParseException {
        int start = pos;
        Expr first = not();
        if (!peekKeyword("and")) return first;
        List<Expr> terms = new ArrayList<>();
        terms.add(first);
        while (keyword("and")) {
            ws();
            terms.add(not());
        }
        return new And(List.copyOf(terms), new Loc(src, start));
    }

    private Expr not() throws ParseException {
        ws();
        int start = pos;
        int nots = 0;
        while (keyword("not")) {
            nots++;
            if (depth + nots > MAX_DEPTH) throw new ParseException(start, "condition nests deeper than " + MAX_DEPTH + " levels");
            ws();
        }
        Expr e = primary();
        for (int i = 0; i < nots; i++) e = new Not(e, new Loc(src, start));
        return e;
    }

    private Expr primary() throws ParseException {
        ws();
        if (pos >= s.length()) throw error("unexpected end of condition, expected a field, a macro, 'not' or '('");
        char c = s.charAt(pos);
        if (c == '(') {
            int open = pos;
            if (++depth > MAX_DEPTH) throw error("condition nests deeper than " + MAX_DEPTH + " levels");
            pos++;
            ws();
            if (pos < s.length() && s.charAt(pos) == ')') throw error("empty parentheses");
            Expr e = or();
            ws();
            if (pos >= s.length() || s.charAt(pos) != ')') {
                if (pos >= s.length()) throw new ParseException(open, "unbalanced '(': missing ')'");
                throw error("expected ')' or 'and'/'or' but found '" + token() + "'");
            }
            pos++;
            depth--;
            return e;
        }
        if (!isIdentStart(c)) throw error("expected a field, a macro, 'not' or '(' but found '" + token() + "'");
        int start = pos;
        String word = word();
        ws();
        boolean call = pos < s.length() && s.charAt(pos) == '(';
        if (word.indexOf('.') < 0 && !(call && isTransformer(word))) {
            if (word.equals("and") || word.equals("or")) throw new ParseException(start, "unexpected '" + word + "'");
            if (pos < s.length() && s.charAt(pos) == '[') throw error("'" + word + "' is not a field (field names have a class, like proc.name)");
            return new MacroRef(word, new Loc(src, start));
        }
        pos = start;
        FieldRef f = fieldRef();
        return check(f, start);
    }

    private String word() {
        int start = pos;
        while (pos < s.length() && isWordChar(s.charAt(pos))) pos++;
        return s.substring(start, pos);
    }

    private FieldRef fieldRef() throws ParseException {
        ws();
        int start = pos;
        if (pos >= s.length() || !isIdentStart(s.charAt(pos))) throw error("expected a field but found '" + token() + "'");
        String w = word();
        int afterWord = pos;
        ws();
        if (w.indexOf('.') < 0) {
            if (MULTI_TRANSFORMERS.contains(w) && pos < s.length() && s.charAt(pos) == '(') return call(w, start);
            if (TRANSFORMERS.contains(w) && pos < s.length() && s.charAt(pos) == '(') {
                if (++depth > MAX_DEPTH) throw error("condition nests deeper than " + MAX_DEPTH + " levels");
                pos++;
                FieldRef inner = fieldRef();
                ws();
                if (pos >= s.length() || s.charAt(pos) != ')') throw error("expected ')' after transformer argument");
                pos++;
                depth--;
                return new Transform(w, inner, new Loc(src, start));
            }
            throw new ParseException(start, "'" + w + "' is not a field (field names have a class, like proc.name)");
        }
        if (w.endsWith(".")) throw new ParseException(start, "invalid field name '" + w + "'");
        pos = afterWord;
        String arg = null;
        if (pos < s.length() && s.charAt(pos) == '[') {
            int open = pos;
            pos++;
            if (pos < s.length() && (s.charAt(pos) == '"' || s.charAt(pos) == '\'')) {
                arg = quoted();
                if (pos >= s.length() || s.charAt(pos) != ']') throw error("expected ']' after field argument");
            } else {
                int e = s.indexOf(']', pos);
                if (e < 0) throw new ParseException(open, "unbalanced '[' in field argument");
                arg = s.substring(pos, e);
                pos = e;
            }
            pos++;
            if (arg.isEmpty()) throw new ParseException(open, "empty field argument");
        }
        return new Field(w, arg, new Loc(src, start));
    }

    private Expr check(FieldRef f, int start) throws ParseException {
        ws();
        int opStart = pos;
        if (pos >= s.length()) throw error("expected an operator after '" + f.text() + "'");
        Op op;
        char c = s.charAt(pos);
        if (c == '=' || c == '!' || c == '<' || c == '>') {
            String t;
            if (s.startsWith("==", pos)) t = "==";
            else if (s.startsWith("!=", pos)) t = "!=";
            else if (s.startsWith("<=", pos)) t = "<=";
            else if (s.startsWith(">=", pos)) t = ">=";
            else if (c == '!') throw error("unknown operator '!' (did you mean '!='?)");
            else t = String.valueOf(c);
            pos += t.length();
            op = Op.parse(t);
        } else if (isIdentStart(c)) {
            String w = word();
            op = Op.parse(w);
            if (op == null) throw new ParseException(opStart, "unknown operator '" + w + "' after '" + f.text() + "'");
        } else {
            throw error("expected an operator after '" + f.text() + "' but found '" + token() + "'");
        }
        Loc loc = new Loc(src, start), opLoc = new Loc(src, opStart);
        if (op == Op.EXISTS) return new Compare(f, op, null, loc, opLoc);
        ws();
        Modifier mod = modifier();
        if (mod != null) {
            int modStart = pos;
            if (!op.takesModifier()) {
                throw new ParseException(opStart, "'" + op.text() + "' takes no list modifier ('" + mod.text()
                        + "' goes with =, ==, !=, contains, icontains, bcontains, startswith, bstartswith, endswith, glob, iglob, regex)");
            }
            ws();
            ListLit items;
            if (pos < s.length() && s.charAt(pos) == '(') {
                items = list();
            } else {
                String name = word();
                if (name.isEmpty()) throw error("expected '(' and a list of values after '" + op.text() + " " + mod.text() + "'");
                items = new ListLit(List.of(new Literal(name, false, new Loc(src, modStart))), new Loc(src, modStart));
            }
            return new Compare(f, op, new Modified(mod, items, new Loc(src, modStart)), loc, opLoc);
        }
        if (op.isListOp()) {
            if (pos >= s.length() || s.charAt(pos) != '(') throw error("expected '(' and a list of values after '" + op.text() + "'");
            return new Compare(f, op, list(), loc, opLoc);
        }
        return new Compare(f, op, value(op), loc, opLoc);
    }

    /**
     * A list modifier after a string operator: {@code oneof}, {@code anyof} or {@code allof} followed by a list
     * ({@code (...)}) or a list name; else null with the position unchanged (a bare value spelled "oneof" stays one).
     */
    private Modifier modifier() {
        int save = pos;
        if (pos >= s.length() || !isIdentStart(s.charAt(pos))) return null;
        String w = word();
        Modifier m = switch (w) {
            case "oneof" -> Modifier.ONEOF;
            case "anyof" -> Modifier.ANYOF;
            case "allof" -> Modifier.ALLOF;
            default -> null;
        };
        if (m != null) {
            int afterWord = pos;
            ws();
            if (pos < s.length() && s.charAt(pos) == '(') {
                pos = afterWord;
                return m;
            }
            if (pos > afterWord && pos < s.length() && isIdentStart(s.charAt(pos))) {
                String next = word();
                pos = afterWord;
                if (!next.equals("and") && !next.equals("or") && !next.equals("not") && next.indexOf('.') < 0) return m;
            }
        }
        pos = save;
        return null;
    }

    /**
     * The rest of a multi-value transformer after its name ({@code pos} at the '('): arguments separated by
     * commas, each a field or transformer, a quoted string, a number, or a parenthesized list of those; then an
     * optional {@code [arg]} (getopt's option selector).
     */
    private FieldRef call(String fn, int start) throws ParseException {
        List<CallArg> args = callArgs(false, fn + "(...)");
        String selector = null;
        if (pos < s.length() && s.charAt(pos) == '[') {
            int bracket = pos;
            pos++;
            if (pos < s.length() && (s.charAt(pos) == '"' || s.charAt(pos) == '\'')) {
                selector = quoted();
                if (pos >= s.length() || s.charAt(pos) != ']') throw error("expected ']' after " + fn + "(...)[...]");
            } else {
                int e = s.indexOf(']', pos);
                if (e < 0) throw new ParseException(bracket, "unbalanced '[' after " + fn + "(...)");
                selector = s.substring(pos, e);
                pos = e;
            }
            pos++;
        }
        return new Call(fn, args, selector, new Loc(src, start));
    }

    /**
     * Comma-separated arguments from the '(' at {@code pos} to its ')': a transformer's ({@code inList} false)
     * or a list's ({@code inList} true, whose items are not lists); {@code what} names it in messages.
     */
    private List<CallArg> callArgs(boolean inList, String what) throws ParseException {
        if (++depth > MAX_DEPTH) throw error("condition nests deeper than " + MAX_DEPTH + " levels");
        int open = pos;
        pos++;
        List<CallArg> items = new ArrayList<>();
        ws();
        if (pos < s.length() && s.charAt(pos) == ')') {
            pos++;
        } else {
            while (true) {
                items.add(callArg(inList));
                ws();
                if (pos >= s.length()) throw new ParseException(open, "unbalanced '(': " + what + " is missing ')'");
                char c = s.charAt(pos);
                if (c == ',') {
                    pos++;
                    continue;
                }
                if (c == ')') {
                    pos++;
                    break;
                }
                throw error("expected ',' or ')' in " + what + " but found '" + token() + "'");
            }
        }
        depth--;
        return List.copyOf(items);
    }

    /** One argument of a multi-value transformer; inside a list ({@code inList}) lists do not nest. */
    private CallArg callArg(boolean inList) throws ParseException {
        ws();
        if (pos >= s.length()) throw error("expected a transformer argument but found the end of the condition");
        int start = pos;
        char c = s.charAt(pos);
        if (c == '"' || c == '\'') return new ArgLiteral(quoted(), new Loc(src, start));
        if (c == '(' && !inList) return new ArgList(callArgs(true, "list"), new Loc(src, start));
        if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
            int e = pos + 1;
            while (e < s.length() && (Character.isLetterOrDigit(s.charAt(e)) || s.charAt(e) == '.')) e++;
            String num = s.substring(pos, e);
            if (!num.matches("[+-]?(0[xX][0-9a-fA-F]+|[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]+)?)")) {
                throw error("'" + num + "' is not a number");
            }
            pos = e;
            return new ArgLiteral(num, new Loc(src, start));
        }
        if (isIdentStart(c)) return fieldRef();
        throw error("expected a transformer argument (a field, a transformer, a quoted string, a number"
                + (inList ? "" : " or a list") + ") but found '" + token() + "'");
    }

    private ListLit list() throws ParseException {
        int open = pos;
        pos++;
        List<Literal> items = new ArrayList<>();
        ws();
        if (pos < s.length() && s.charAt(pos) == ')') {
            pos++;
            return new ListLit(List.of(), new Loc(src, open));
        }
        while (true) {
            ws();
            if (pos >= s.length()) throw new ParseException(open, "unbalanced '(': list is missing ')'");
            int is = pos;
            char c = s.charAt(pos);
            if (c == '"' || c == '\'') {
                items.add(new Literal(quoted(), true, new Loc(src, is)));
            } else {
                String b = bare(true);
                if (b.isEmpty()) throw error("expected a list value but found '" + token() + "'");
                items.add(new Literal(b, false, new Loc(src, is)));
            }
            ws();
            if (pos >= s.length()) throw new ParseException(open, "unbalanced '(': list is missing ')'");
            c = s.charAt(pos);
            if (c == ',') {
                pos++;
                continue;
            }
            if (c == ')') {
                pos++;
                break;
            }
            throw error("expected ',' or ')' in list but found '" + token() + "'");
        }
        return new ListLit(List.copyOf(items), new Loc(src, open));
    }

    private Operand value(Op op) throws ParseException {
        if (pos >= s.length()) throw error("expected a value after '" + op.text() + "'");
        int start = pos;
        char c = s.charAt(pos);
        if (c == '"' || c == '\'') return new Literal(quoted(), true, new Loc(src, start));
        if (c == '(') throw error("'" + op.text() + "' takes a single value, not a list");
        if (s.startsWith("val", pos)) {
            int save = pos;
            pos += 3;
            ws();
            if (pos < s.length() && s.charAt(pos) == '(') {
                pos++;
                FieldRef f = fieldRef();
                ws();
                if (pos >= s.length() || s.charAt(pos) != ')') throw error("expected ')' after val(...)");
                pos++;
                return new FieldOperand(f, new Loc(src, start));
            }
            pos = save;
        }
        String b = bare(false);
        if (b.isEmpty()) throw error("expected a value after '" + op.text() + "' but found '" + token() + "'");
        return new Literal(b, false, new Loc(src, start));
    }

    /** A bare (unquoted) value: up to whitespace, a parenthesis, a comma or a quote. */
    private String bare(boolean inList) {
        int start = pos;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b || c == '\b'
                    || c == '(' || c == ')' || c == ',' || c == '"' || c == '\'') break;
            pos++;
        }
        return s.substring(start, pos);
    }

    /** A quoted string starting at pos; leaves pos after the closing quote. */
    private String quoted() throws ParseException {
        int open = pos;
        char q = s.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (pos < s.length()) {
            char c = s.charAt(pos++);
            if (c == q) return sb.toString();
            if (c == '\\' && pos < s.length()) {
                char n = s.charAt(pos++);
                switch (n) {
                    case '\\' -> sb.append('\\');
                    case '"' -> sb.append('"');
                    case '\'' -> sb.append('\'');
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    default -> sb.append('\\').append(n);
                }
            } else {
                sb.append(c);
            }
        }
        throw new ParseException(open, "unterminated quoted string");
    }

    /**
     * Unquotes a list item the way Falco does: an item written with its own quotes ({@code '"sh -c x"'} in YAML)
     * stands for the text inside them.
     */
    public static String unquoteItem(String item) {
        if (item.length() >= 2) {
            char q = item.charAt(0);
            if ((q == '"' || q == '\'') && item.charAt(item.length() - 1) == q) {
                Parser p = new Parser(item, SourceMap.fixed(dev.vigil.rules.SourcePos.UNKNOWN));
                try {
                    String v = p.quoted();
                    if (p.pos == item.length()) return v;
                } catch (ParseException e) {
                    return item;
                }
            }
        }
        return item;
    }
}

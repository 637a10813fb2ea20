package dev.vigil.rules.compile;

import com.google.re2j.Pattern;
import dev.vigil.events.ByteSequence;
import dev.vigil.events.IpAddr;
import dev.vigil.rules.fields.Glob;
import dev.vigil.rules.fields.Strings;

import java.util.Arrays;
import java.util.List;

/** Compiled comparisons against constants, per value kind. All allocation-free except {@link Regex}. */
final class Tests {
    private Tests() {}

    interface StrTest { boolean test(CharSequence v); }

    interface NumTest { boolean test(long v); }

    interface IpTest { boolean test(long hi, long lo); }

    interface BytesTest { boolean test(ByteSequence b); }

    /** Ordering comparisons, as a predicate on a compare() result. */
    enum Cmp {
        EQ, NE, LT, LE, GT, GE;

        boolean holds(int c) {
            return switch (this) {
                case EQ -> c == 0;
                case NE -> c != 0;
                case LT -> c < 0;
                case LE -> c <= 0;
                case GT -> c > 0;
                case GE -> c >= 0;
            };
        }
    }

    // ---- strings ----

    record Eq(String k) implements StrTest {
        @Override public boolean test(CharSequence v) { return Strings.equals(v, k); }
    }

    record Ne(String k) implements StrTest {
        @Override public boolean test(CharSequence v) { return !Strings.equals(v, k); }
    }

    record Order(Cmp op, String k) implements StrTest {
        @Override public boolean test(CharSequence v) { return op.holds(Strings.compare(v, k)); }
    }

    record Contains(String k) implements StrTest {
        @Override public boolean test(CharSequence v) { return Strings.contains(v, k); }
    }

    record IContains(String lowerK) implements StrTest {
        @Override public boolean test(CharSequence v) { return Strings.icontains(v, lowerK); }
    }

    record StartsWith(String k) implements StrTest {
        @Override public boolean test(CharSequence v) { return Strings.startsWith(v, k); }
    }

    record EndsWith(String k) implements StrTest {
        @Override public boolean test(CharSequence v) { return Strings.endsWith(v, k); }
    }

    record BContainsStr(byte[] k) implements StrTest {
        @Override public boolean test(CharSequence v) { return Strings.bcontains(v, k); }
    }

    record BStartsWithStr(byte[] k) implements StrTest {
        @Override public boolean test(CharSequence v) {
            if (v.length() < k.length) return false;
            for (int i = 0; i < k.length; i++) if ((byte) v.charAt(i) != k[i]) return false;
            return true;
        }
    }

    record GlobTest(Glob g) implements StrTest {
        @Override public boolean test(CharSequence v) { return g.matches(v); }
    }

    /** Full match, linear time (RE2). */
    record Regex(Pattern p) implements StrTest {
        @Override public boolean test(CharSequence v) { return p.matcher(v).matches(); }
    }

    static final class In implements StrTest {
        final StrSet set;

        In(List<String> values) { set = new StrSet(values); }

        @Override public boolean test(CharSequence v) { return set.contains(v); }
    }

    /** Open-addressing string set probed with any CharSequence, without allocation. */
    static final class StrSet {
        private final String[] table;
        private final int mask;

        StrSet(List<String> values) {
            int cap = Integer.highestOneBit(Math.max(4, values.size() * 2 + 1) - 1) << 1;
            table = new String[cap];
            mask = cap - 1;
            for (String s : values) {
                int i = mix(s.hashCode()) & mask;
                while (table[i] != null && !table[i].equals(s)) i = (i + 1) & mask;
                table[i] = s;
            }
        }

        private static int mix(int h) { return h ^ (h >>> 16); }

        /** The members (for the kernel prefilter's derivation). */
        List<String> values() {
            List<String> out = new java.util.ArrayList<>();
            for (String s : table) if (s != null) out.add(s);
            return out;
        }

        boolean contains(CharSequence v) {
            int i = mix(Strings.hash(v)) & mask;
            String s;
            while ((s = table[i]) != null) {
                if (Strings.equals(v, s)) return true;
                i = (i + 1) & mask;
            }
            return false;
        }
    }

    /**
     * Falco's pmatch: true if some list path is a path prefix of the value, compared component by component
     * ("/var/lib" matches "/var/lib" and "/var/lib/x", not "/var/library"). A character trie over the prefixes.
     */
    static final class PMatch implements StrTest {
        private static final class Node {
            char[] keys = new char[0];
            Node[] kids = new Node[0];
            boolean terminal;

            Node child(char c) {
                int i = Arrays.binarySearch(keys, c);
                return i >= 0 ? kids[i] : null;
            }

            Node add(char c) {
                int i = Arrays.binarySearch(keys, c);
                if (i >= 0) return kids[i];
                int at = -i - 1;
                char[] nk = new char[keys.length + 1];
                Node[] nn = new Node[kids.length + 1];
                System.arraycopy(keys, 0, nk, 0, at);
                System.arraycopy(kids, 0, nn, 0, at);
                nk[at] = c;
                nn[at] = new Node();
                System.arraycopy(keys, at, nk, at + 1, keys.length - at);
                System.arraycopy(kids, at, nn, at + 1, kids.length - at);
                keys = nk;
                kids = nn;
                return nn[at];
            }
        }

        private final Node root = new Node();

        PMatch(List<String> prefixes) {
            for (String p : prefixes) {
                String n = p;
                while (n.length() > 1 && n.endsWith("/")) n = n.substring(0, n.length() - 1);
                if (n.equals("/")) n = "";
                Node cur = root;
                for (int i = 0; i < n.length(); i++) cur = cur.add(n.charAt(i));
                cur.terminal = true;
            }
        }

        @Override public boolean test(CharSequence v) {
            Node cur = root;
            int n = v.length();
            if (cur.terminal && n > 0 && v.charAt(0) == '/') return true;
            for (int i = 0; i < n; i++) {
                cur = cur.child(v.charAt(i));
                if (cur == null) return false;
                if (cur.terminal && (i + 1 == n || v.charAt(i + 1) == '/')) return true;
            }
            return false;
        }
    }

    // ---- numbers ----

    record NumCmp(Cmp op, long k) implements NumTest {
        @Override public boolean test(long v) { return op.holds(Long.compare(v, k)); }
    }

    static final class NumIn implements NumTest {
        final long[] sorted;

        NumIn(long[] values) {
            sorted = values.clone();
            Arrays.sort(sorted);
        }

        @Override public boolean test(long v) { return Arrays.binarySearch(sorted, v) >= 0; }
    }

    // ---- IP ----

    /** Matches an address against addresses and networks; {@code negate} for '!='. */
    static final class IpMatch implements IpTest {
        final long[] hi, lo;
        final int[] prefix;
        final boolean negate;

        IpMatch(long[] hi, long[] lo, int[] prefix, boolean negate) {
            this.hi = hi;
            this.lo = lo;
            this.prefix = prefix;
            this.negate = negate;
        }

        @Override public boolean test(long h, long l) {
            boolean m = false;
            for (int i = 0; i < hi.length && !m; i++) m = IpAddr.inNet(h, l, hi[i], lo[i], prefix[i]);
            return m != negate;
        }
    }

    // ---- bytes ----

    record BytesContains(byte[] k) implements BytesTest {
        @Override public boolean test(ByteSequence b) {
            int n = b.length(), m = k.length;
            outer:
            for (int i = 0; i <= n - m; i++) {
                for (int j = 0; j < m; j++) if (b.byteAt(i + j) != k[j]) continue outer;
                return true;
            }
            return false;
        }
    }

    record BytesStartsWith(byte[] k) implements BytesTest {
        @Override public boolean test(ByteSequence b) {
            if (b.length() < k.length) return false;
            for (int j = 0; j < k.length; j++) if (b.byteAt(j) != k[j]) return false;
            return true;
        }
    }

    record BytesEq(byte[] k, boolean negate) implements BytesTest {
        @Override public boolean test(ByteSequence b) {
            boolean eq = b.length() == k.length;
            for (int j = 0; eq && j < k.length; j++) eq = b.byteAt(j) == k[j];
            return eq != negate;
        }
    }
}

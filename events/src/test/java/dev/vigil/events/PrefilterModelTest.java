package dev.vigil.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.prefilter.Clause;
import dev.vigil.events.prefilter.PathSet;
import dev.vigil.events.prefilter.TypeFilter;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The prefilter model's algebra over-approximates, never under: for random filters and random inputs, what passes
 * both passes their meet, what passes either passes their union (also after clauses are merged to fit the
 * kernel's eight), and a complement passes exactly what its box does not.
 */
class PrefilterModelTest {
    static final String[] STRS = {"/etc/", "/etc/shadow", "/etc/passwd", "/root/", "/root/.ssh/id_rsa", ".log", "/x.log",
        "id_rsa", "/var/log/", "/var/log/syslog", "/", "/e", "shadow"};
    static final String[] PATHS = {"/etc/shadow", "/etc/passwd", "/etc/x", "/root/.ssh/id_rsa", "/var/log/syslog", "/var/log/a.log",
        "/tmp/x.log", "/e", "/etc/../etc/shadow", "rel/x", "/etc//shadow", "/tmp/a..b/id_rsa", "/"};

    static PathSet randomSet(Random r) {
        if (r.nextInt(4) == 0) return PathSet.ANY;
        List<String> ex = new ArrayList<>(), pre = new ArrayList<>(), suf = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            String s = STRS[r.nextInt(STRS.length)];
            switch (r.nextInt(3)) {
                case 0 -> ex.add(s);
                case 1 -> pre.add(s);
                default -> suf.add(s);
            }
        }
        return PathSet.exact(ex).union(PathSet.prefixes(pre)).union(PathSet.suffixes(suf));
    }

    static TypeFilter randomFilter(Random r) {
        if (r.nextInt(10) == 0) return TypeFilter.PASS_ALL;
        List<Clause> l = new ArrayList<>();
        for (int i = r.nextInt(12); i > 0; i--) {
            l.add(new Clause(1 + r.nextInt(3), 1 + r.nextInt(15), 1 + r.nextInt(3), randomSet(r)));
        }
        return new TypeFilter(false, l);
    }

    @Test
    void meetAndUnionOverApproximate() {
        Random r = new Random(42);
        for (int i = 0; i < 3000; i++) {
            TypeFilter a = randomFilter(r), b = randomFilter(r);
            TypeFilter m = a.meet(b), u = a.union(b);
            assertThat(m.clauses().size()).isLessThanOrEqualTo(TypeFilter.MAX_CLAUSES);
            assertThat(u.clauses().size()).isLessThanOrEqualTo(TypeFilter.MAX_CLAUSES);
            for (String p : PATHS) {
                for (int acc = 0; acc < 4; acc++) {
                    for (long ret : new long[] {3, -2}) {
                        boolean pa = a.passes(p, acc, ret), pb = b.passes(p, acc, ret);
                        if (pa && pb) assertThat(m.passes(p, acc, ret)).as("meet %s / %s on %s", a, b, p).isTrue();
                        if (pa || pb) assertThat(u.passes(p, acc, ret)).as("union %s / %s on %s", a, b, p).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void aComplementIsExact() {
        for (int res = 0; res < 4; res++) {
            for (int acc = 0; acc < 16; acc++) {
                TypeFilter box = TypeFilter.of(Clause.ALL.withResults(res).withAccess(acc)), not = TypeFilter.complementOf(res, acc);
                for (int a = 0; a < 4; a++) {
                    for (long ret : new long[] {0, -1}) {
                        assertThat(not.passes("/x", a, ret)).isEqualTo(!box.passes("/x", a, ret));
                    }
                }
            }
        }
    }

    @Test
    void pathSetsTestWholeNamesAndEnds() {
        PathSet s = PathSet.exact(List.of("/etc/shadow")).union(PathSet.prefix("/root/")).union(PathSet.suffix("release_agent"));
        assertThat(s.test("/etc/shadow")).isTrue();
        assertThat(s.test("/etc/shadowX")).isFalse();
        assertThat(s.test("/root/x")).isTrue();
        assertThat(s.test("/sys/fs/cgroup/x/release_agent")).isTrue();
        assertThat(s.meet(PathSet.prefix("/etc/")).test("/etc/shadow")).isTrue();
        assertThat(s.meet(PathSet.prefix("/etc/")).test("/root/x")).isFalse();
        assertThat(PathSet.prefix("").any()).isTrue();
        assertThat(PathSet.exact(List.of("/" + "x".repeat(300))).isNone()).as("too long to be judged: left out").isTrue();
    }
}

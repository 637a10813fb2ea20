package dev.vigil.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Container;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.Fd;
import dev.vigil.events.FdType;
import dev.vigil.events.Process;
import dev.vigil.events.prefilter.Clause;
import dev.vigil.events.prefilter.PathSet;
import dev.vigil.events.prefilter.Prefilter;
import dev.vigil.events.prefilter.TypeFilter;
import dev.vigil.rules.engine.Prefilters;
import dev.vigil.rules.engine.RuleSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The prefilter is conservative (issue #17): over generated open events, whenever the kernel filter (its Java
 * mirror, {@link TypeFilter#passes}, fed what the kernel reads: the raw path, the flags, the result) rejects an
 * event, no loaded rule matches it. For the three upstream rule files (every rule enabled) and for random rules.
 * The events are built as the sensor decodes them: fd.name is the lexical normalization of the path made absolute
 * against the cwd, fd.nameraw the path as passed.
 */
class PrefilterPropertyTest {
    static final List<EventType> OPENS = List.of(EventType.OPEN, EventType.OPENAT, EventType.OPENAT2, EventType.CREAT);
    static final String[] COMMON = {"/etc/shadow", "/etc/passwd", "/etc/sudoers", "/etc/pam.d/sshd", "/etc/sudoers.d/x",
        "/root/.ssh/id_rsa", "/root/.bashrc", "/home/alice/.ssh/authorized_keys", "/home/alice/.bashrc", "/var/log/syslog",
        "/var/log/auth.log", "/var/lib/dpkg/status", "/proc/self/status", "/proc/1/environ", "/dev/shm/x", "/dev/null",
        "/tmp/x", "/usr/bin/ls", "/usr/local/bin/x", "/bin/sh", "/sys/fs/cgroup/release_agent", "/etc/cron.d/job",
        "/etc/ld.so.preload", "/boot/vmlinuz", "/lib/modules/x.ko", "/opt/app/config.yaml", "/"};
    static final String[] PROCS = {"cat", "bash", "sh", "sshd", "nginx", "python3", "java", "node", "mysqld", "sudo",
        "passwd", "runc", "dockerd", "vi", "cp", "head", "systemd", "find", "curl"};
    static final String[] CWDS = {"/", "/etc", "/tmp", "/home/alice", "/root/.ssh", "/var/log"};
    static final int O_CREAT = 0100, O_TRUNC = 01000, O_APPEND = 02000, O_DIRECTORY = 0200000, O_CLOEXEC = 02000000;

    static String read(Path p) throws Exception { return Files.readString(p); }

    static RuleSet all(RuleSet rs) { return rs.enable("*"); }

    @Test
    void stable() throws Exception {
        assertThat(check(all(Fixtures.load(read(TestFiles.stable()))), 60_000, 1)).as("events rejected").isPositive();
    }

    @Test
    void incubating() throws Exception {
        assertThat(check(all(Fixtures.load(read(TestFiles.stable()), read(TestFiles.incubating()))), 60_000, 2))
                .as("events rejected").isPositive();
    }

    @Test
    void sandbox() throws Exception {
        assertThat(check(all(Fixtures.load(read(TestFiles.stable()), read(TestFiles.incubating()), read(TestFiles.sandbox()))), 60_000, 3))
                .as("events rejected").isPositive();
    }

    @Test
    void randomRules() {
        Random rnd = new Random(1717);
        int rejected = 0;
        for (int batch = 0; batch < 120; batch++) {
            StringBuilder y = new StringBuilder("- list: names\n  items: [/etc/shadow, /etc/passwd, id_rsa, /tmp/x]\n");
            for (int i = 0; i < 1 + batch % 4; i++) {
                y.append(Fixtures.rule("R" + i, "evt.type in (open, openat, openat2, creat) and " + formula(rnd, 3)));
            }
            rejected += check(Fixtures.load(y.toString()), 2_000, 100 + batch);
        }
        assertThat(rejected).as("events rejected over all batches (else the test proves nothing)").isGreaterThan(10_000);
    }

    /** Rejects a filter that passes everything: the test must be able to fail, so the stable rules must filter. */
    @Test
    void theStableFilterIsSelective() throws Exception {
        RuleSet rs = Fixtures.load(read(TestFiles.stable()));
        Prefilter p = Prefilters.derive(rs, EnumSet.copyOf(OPENS), Set.of(), false);
        TypeFilter f = p.filter(EventType.OPENAT);
        assertThat(f.passAll()).as(p.explain()).isFalse();
        assertThat(f.passes("/nonexistent-vigil-bench", 0, -2)).as("a failing open of a plain path").isFalse();
        assertThat(f.passes("/dev/shm/vigil/file", 0, 3)).as("a read of a plain file").isFalse();
        assertThat(f.passes("/etc/shadow", 0, 3)).isTrue();
        assertThat(f.passes("/tmp/../../etc/shadow", 0, -2)).isTrue();
        // the fd table's need: every successful open
        TypeFilter withFd = Prefilters.derive(rs, EnumSet.copyOf(OPENS), Set.of(), true).filter(EventType.OPENAT);
        assertThat(withFd.passes("/dev/shm/vigil/file", 0, 3)).isTrue();
        assertThat(withFd.passes("/nonexistent-vigil-bench", 0, -2)).isFalse();
        assertThat(Prefilters.derive(rs, EnumSet.copyOf(OPENS), Set.of(EventType.OPENAT), false).filter(EventType.OPENAT).passAll()).isTrue();
    }

    static final String[] PATH_LITS = {"/etc", "/etc/", "/etc/shadow", "/root/.ssh", "/home/", ".ssh/", "id_rsa", "passwd",
        "/var/log", "release_agent", "/dev", "/tmp/x", ".log", "/proc/", "x", "", "/"};

    static String lit(Random rnd) { return PATH_LITS[rnd.nextInt(PATH_LITS.length)]; }

    static String q(String s) { return "\"" + s + "\""; }

    static String formula(Random rnd, int depth) {
        if (depth == 0 || rnd.nextInt(3) == 0) return leaf(rnd);
        return switch (rnd.nextInt(4)) {
            case 0 -> "(" + formula(rnd, depth - 1) + " and " + formula(rnd, depth - 1) + ")";
            case 1 -> "(" + formula(rnd, depth - 1) + " or " + formula(rnd, depth - 1) + ")";
            case 2 -> "not " + formula(rnd, depth - 1);
            default -> "(" + formula(rnd, depth - 1) + " and not " + formula(rnd, depth - 1) + ")";
        };
    }

    static String leaf(Random rnd) {
        return switch (rnd.nextInt(22)) {
            case 0 -> "fd.name = " + q(lit(rnd));
            case 1 -> "fd.name startswith " + q(lit(rnd));
            case 2 -> "fd.name endswith " + q(lit(rnd));
            case 3 -> "fd.name in (names)";
            case 4 -> "fd.name contains " + q(lit(rnd));
            case 5 -> "fd.name glob " + q(lit(rnd) + "*");
            case 6 -> "fd.directory = " + q(lit(rnd));
            case 7 -> "fd.directory in (/etc, /root/.ssh, /tmp)";
            case 8 -> "fd.filename = " + q(lit(rnd).replace("/", ""));
            case 9 -> "fd.filename in (shadow, id_rsa, x)";
            case 10 -> "fd.nameraw contains '../'";
            case 11 -> "fd.nameraw glob '*../*'";
            case 12 -> "fd.nameraw startswith " + q(lit(rnd));
            case 13 -> "evt.is_open_read=" + rnd.nextBoolean();
            case 14 -> "evt.is_open_write=" + rnd.nextBoolean();
            case 15 -> new String[] {"fd.num>=0", "fd.num=-1", "fd.num<0", "fd.num>3", "fd.num!=3", "fd.num in (3, 4)"}[rnd.nextInt(6)];
            case 16 -> new String[] {"evt.res=SUCCESS", "evt.res startswith E", "evt.res!=SUCCESS", "evt.res in (ENOENT, EACCES)"}[rnd.nextInt(4)];
            case 17 -> new String[] {"evt.rawres<0", "evt.rawres>=0", "evt.rawres=-2", "evt.failed=true", "evt.failed=false"}[rnd.nextInt(5)];
            case 18 -> "proc.name in (cat, sshd, nginx)";
            case 19 -> "fd.typechar='f'";
            case 20 -> "evt.arg.flags contains O_TRUNC";
            default -> "fd.name pmatch (/etc, /root)";
        };
    }

    /** Generates events; asserts that none the filter rejects is matched by a rule; returns how many it rejected. */
    static int check(RuleSet rs, int events, long seed) {
        Prefilter p = Prefilters.derive(rs, EnumSet.copyOf(OPENS), Set.of(), false);
        Random rnd = new Random(seed);
        List<String> corpus = corpus(p);
        int rejected = 0;
        for (int i = 0; i < events; i++) {
            EventType t = OPENS.get(rnd.nextInt(OPENS.size()));
            String raw = mutate(rnd, corpus.get(rnd.nextInt(corpus.size())));
            String cwd = CWDS[rnd.nextInt(CWDS.length)];
            long flags = t == EventType.CREAT ? 01101 : rnd.nextInt(4) | pick(rnd, O_CREAT) | pick(rnd, O_TRUNC) | pick(rnd, O_APPEND)
                    | (rnd.nextInt(8) == 0 ? O_DIRECTORY : 0) | pick(rnd, O_CLOEXEC);
            long ret = rnd.nextInt(3) == 0 ? -new int[] {2, 13, 1, 20, 21}[rnd.nextInt(5)] : 3 + rnd.nextInt(5);
            if (p.filter(t).passes(raw, flags, ret)) continue;
            rejected++;
            Event e = event(rnd, t, raw, cwd, flags, ret);
            Set<String> fired = Fixtures.fire(rs, e);
            assertThat(fired).as("rejected by the prefilter (%s) but matched: %s flags=%o ret=%d cwd=%s\nfilter: %s",
                    t.falcoName(), raw, flags, ret, cwd, p.filter(t)).isEmpty();
        }
        return rejected;
    }

    static long pick(Random rnd, int flag) { return rnd.nextBoolean() ? flag : 0; }

    /** The strings the filter names, and common paths: events near its edges. */
    static List<String> corpus(Prefilter p) {
        Set<String> s = new LinkedHashSet<>(List.of(COMMON));
        for (TypeFilter f : p.byType().values()) {
            for (Clause c : f.clauses()) {
                PathSet ps = c.path();
                s.addAll(ps.exact());
                for (String x : ps.prefixes()) { s.add(x); s.add(x + "x"); s.add(x + "a/b"); }
                for (String x : ps.suffixes()) { s.add(x); s.add("/tmp/a" + x); s.add("/etc" + x); }
            }
        }
        return new ArrayList<>(s);
    }

    static String mutate(Random rnd, String p) {
        return switch (rnd.nextInt(12)) {
            case 0 -> p + "/x";
            case 1 -> p.length() > 1 ? p.substring(0, rnd.nextInt(p.length())) : p;
            case 2 -> "/tmp/../.." + (p.startsWith("/") ? p : "/" + p);
            case 3 -> p.replaceFirst("/", "//");
            case 4 -> p.startsWith("/") ? p.substring(1) : p;            // relative
            case 5 -> p + "/";
            case 6 -> p.replace("/", "/./");
            case 7 -> p + ".." + "/x";
            case 8 -> p + "~";
            case 9 -> "/x" + "y".repeat(250) + p;                           // too long to judge
            default -> p;
        };
    }

    static Event event(Random rnd, EventType t, String raw, String cwd, long flags, long ret) {
        String abs = raw.startsWith("/") ? raw : (cwd.endsWith("/") ? cwd : cwd + "/") + raw;
        String name = Path.of(abs).normalize().toString();
        String pname = PROCS[rnd.nextInt(PROCS.length)];
        Process parent = Process.builder().pid(900).name(PROCS[rnd.nextInt(PROCS.length)]).exePath("/usr/bin/p")
                .argv("p").user(0, "root").parent(Fixtures.systemd()).startTs(Fixtures.NOW - 3_600_000_000_000L).build();
        Process proc = Process.builder().pid(1234).ppid(900).name(pname).exePath("/usr/bin/" + pname).argv(pname, raw)
                .user(rnd.nextBoolean() ? 0 : 1000, "u").cwd(cwd).parent(parent)
                .startTs(Fixtures.NOW - (rnd.nextBoolean() ? 1_000_000_000L : 3_600_000_000_000L)).build();
        FdType ft = (flags & O_DIRECTORY) != 0 ? FdType.DIRECTORY : FdType.FILE;
        Fd fd = Fd.builder().num(ret >= 0 ? ret : -1).type(ft).name(name).nameRaw(raw).build();
        Event.Builder b = Event.builder(t).timestamp(Fixtures.NOW).res(ret).process(proc).fd(fd)
                .container(rnd.nextInt(3) == 0 ? Fixtures.container() : Container.HOST).arg("name", name);
        if (t != EventType.CREAT) b.arg("flags", flags);
        b.arg("mode", rnd.nextBoolean() ? 0644 : 0755);
        if (t == EventType.OPENAT || t == EventType.OPENAT2) b.arg("dirfd", -100);
        return b.build();
    }
}

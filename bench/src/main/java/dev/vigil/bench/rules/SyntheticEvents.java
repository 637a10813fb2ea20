package dev.vigil.bench.rules;

import dev.vigil.events.Container;
import dev.vigil.events.ContainerView;
import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.EventView;
import dev.vigil.events.Fd;
import dev.vigil.events.Process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic event stream with realistic proportions for a busy host running containers: opens dominate
 * (mostly reads of libraries and config, some writes, some failures), then closes, connects and other network
 * calls, then process executions, with a few rarer syscalls. Deterministic (fixed seed).
 */
public final class SyntheticEvents {
    private SyntheticEvents() {}

    static final long NOW = 1_700_000_000_000_000_000L;

    /** Locates the upstream Falco rules: -Dvigil.rules.dir, else ../shared/falco-rules from the project root or cwd. */
    public static Path rulesDir() {
        String p = System.getProperty("vigil.rules.dir");
        if (p != null) return Paths.get(p);
        String root = System.getenv("VIGIL_PROJECT_ROOT");
        if (root != null) {
            Path d = Paths.get(root).resolve("../shared/falco-rules").normalize();
            if (Files.isDirectory(d)) return d;
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path c = d.resolve("../shared/falco-rules").normalize();
            if (Files.isDirectory(c)) return c;
            c = d.resolve("shared/falco-rules");
            if (Files.isDirectory(c)) return c;
        }
        throw new IllegalStateException("cannot find shared/falco-rules; pass -Dvigil.rules.dir=...");
    }

    public static EventView[] stream(int n, long seed) {
        Random r = new Random(seed);
        Process init = Process.builder().pid(1).name("systemd").argv("/sbin/init").exePath("/usr/lib/systemd/systemd")
                .user(0, "root").startTs(NOW - 86_400_000_000_000L).build();
        Process sshd = Process.builder().pid(700).name("sshd").argv("sshd", "-D").exePath("/usr/sbin/sshd").user(0, "root")
                .parent(init).startTs(NOW - 80_000_000_000_000L).build();
        Process shell = Process.builder().pid(900).name("bash").argv("-bash").exePath("/usr/bin/bash").user(1000, "alice")
                .loginUid(1000).tty(34816).parent(sshd).startTs(NOW - 3_600_000_000_000L).build();
        Process nginx = Process.builder().pid(1200).name("nginx").argv("nginx", "-g", "daemon off;").exePath("/usr/sbin/nginx")
                .user(33, "www-data").parent(init).startTs(NOW - 50_000_000_000_000L).build();
        Process java = Process.builder().pid(1300).name("java").argv("java", "-jar", "/opt/app/app.jar").exePath("/usr/bin/java")
                .user(1001, "app").parent(init).startTs(NOW - 40_000_000_000_000L).build();
        String[][] cmds = {{"ls", "ls", "-la"}, {"cat", "cat", "/etc/hostname"}, {"grep", "grep", "-r", "TODO", "src"},
            {"git", "git", "status"}, {"python3", "python3", "manage.py", "runserver"}, {"sh", "sh", "-c", "date"},
            {"curl", "curl", "-s", "https://example.com"}, {"ps", "ps", "aux"}, {"node", "node", "server.js"}};
        String[] reads = {"/lib/x86_64-linux-gnu/libc.so.6", "/etc/ld.so.cache", "/usr/lib/locale/locale-archive",
            "/etc/nsswitch.conf", "/etc/passwd", "/proc/self/status", "/opt/app/config.yaml", "/usr/share/zoneinfo/UTC",
            "/home/alice/project/src/main.c", "/etc/hosts"};
        String[] writes = {"/tmp/app.log", "/var/log/nginx/access.log", "/home/alice/project/out.o", "/var/lib/app/db.sqlite",
            "/run/app.pid"};
        Container host = Container.HOST;
        Container web = Container.builder().id("4f2a9c1b7d3e").name("web").image("docker.io/library/nginx:1.25").build();
        Container api = Container.builder().id("8b1e6f0a2c9d").name("api").image("ghcr.io/acme/api:2.3")
                .k8s("prod", "api-7d9f").build();
        ContainerView[] cts = {host, host, host, web, api};
        Process[] procs = {nginx, java, shell};
        List<EventView> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(100);
            ContainerView c = cts[r.nextInt(cts.length)];
            long ts = NOW + i * 1000L;
            Event.Builder b;
            if (k < 50) { // opens: 40 reads, 7 writes, 3 failed
                Process p = procs[r.nextInt(procs.length)];
                EventType t = r.nextInt(10) < 8 ? EventType.OPENAT : EventType.OPEN;
                if (k < 40) {
                    String path = reads[r.nextInt(reads.length)];
                    b = Event.builder(t).res(3 + r.nextInt(20)).arg("name", path).flags("flags", "O_RDONLY", "O_CLOEXEC")
                            .fd(Fd.file(3, path));
                } else if (k < 47) {
                    String path = writes[r.nextInt(writes.length)];
                    b = Event.builder(t).res(3 + r.nextInt(20)).arg("name", path).flags("flags", "O_WRONLY", "O_CREAT", "O_APPEND")
                            .arg("mode", 0644).fd(Fd.file(5, path));
                } else {
                    String path = "/etc/app/missing" + r.nextInt(4) + ".conf";
                    b = Event.builder(t).res(-2).arg("name", path).flags("flags", "O_RDONLY").fd(Fd.file(-1, path));
                }
                b.process(p);
            } else if (k < 65) { // close
                b = Event.builder(EventType.CLOSE).res(0).arg("fd", 3).process(procs[r.nextInt(procs.length)]);
            } else if (k < 77) { // connect (outbound, some internal)
                boolean internal = r.nextBoolean();
                Fd fd = Fd.tcp4(7, "172.17.0." + (2 + r.nextInt(8)), 30000 + r.nextInt(30000),
                        internal ? "10.0.3." + r.nextInt(200) : "93.184.216." + r.nextInt(200), r.nextBoolean() ? 443 : 5432);
                b = Event.builder(EventType.CONNECT).res(r.nextInt(4) == 0 ? -115 : 0).fd(fd).process(procs[r.nextInt(2)]);
            } else if (k < 85) { // sendto/recvfrom on connected sockets, accept
                EventType t = k < 80 ? EventType.SENDTO : k < 83 ? EventType.RECVFROM : EventType.ACCEPT4;
                Fd fd = Fd.builder().num(9).ip("10.0.0.5", 40000, "10.0.0.9", 8080).l4proto(dev.vigil.events.L4Proto.TCP)
                        .role(t == EventType.ACCEPT4 ? Fd.ROLE_SERVER : Fd.ROLE_CLIENT).connected(true).build();
                b = Event.builder(t).res(128).fd(fd).process(procs[r.nextInt(2)]);
            } else if (k < 95) { // exec
                String[] cmd = cmds[r.nextInt(cmds.length)];
                String[] argv = new String[cmd.length - 1];
                System.arraycopy(cmd, 1, argv, 0, argv.length);
                Process p = Process.builder().pid(5000 + i).name(cmd[0]).argv(argv).exePath("/usr/bin/" + cmd[0])
                        .user(1000, "alice").loginUid(1000).tty(r.nextBoolean() ? 34816 : 0).cwd("/home/alice")
                        .parent(r.nextInt(3) == 0 ? nginx : shell).startTs(ts - 1000).build();
                b = Event.builder(EventType.EXECVE).res(0).process(p);
            } else if (k < 97) { // clone
                b = Event.builder(EventType.CLONE).res(6000 + i).process(shell);
            } else if (k < 98) {
                b = Event.builder(EventType.DUP2).res(1).arg("oldfd", 3).arg("newfd", 1).process(shell).fd(Fd.file(1, "/dev/pts/0"));
            } else if (k < 99) {
                b = Event.builder(EventType.UNLINKAT).res(0).arg("name", "/tmp/x" + r.nextInt(9)).process(shell);
            } else {
                b = Event.builder(EventType.SOCKET).res(4).flags("domain", "AF_INET").process(java);
            }
            out.add(b.num(i + 1).timestamp(ts).container(c).build());
        }
        return out.toArray(EventView[]::new);
    }
}

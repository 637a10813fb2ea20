package dev.vigil.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.enforce.compile.Hook;
import dev.vigil.enforce.kernel.Decision;
import dev.vigil.enforce.kernel.Enforcer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enforcement on this kernel (no LSM): exec killed before the new image runs, open for write killed at the
 * syscall, every decision reported. Every policy here is scoped to paths under the test's own temporary folder, so
 * nothing else on the machine is touched.
 */
class EnforcerKernelTest {
    @TempDir
    static Path dir;
    static Enforcer enforcer;
    static final LinkedBlockingQueue<Decision> decisions = new LinkedBlockingQueue<>();
    static Path denied, allowed;

    static Path cgroup;

    @BeforeAll
    static void start() throws Exception {
        KernelTests.assumeKernel();
        // the connect/bind hooks attach to a cgroup of this test's own: no other process is affected
        cgroup = Files.createDirectory(Enforcer.defaultCgroupRoot().resolve("vigil-test-enforce-" + ProcessHandle.current().pid()));
        enforcer = Enforcer.start(Enforcer.Options.defaults().withTamper(false, 0).withCgroupDir(cgroup), decisions::add);
        denied = TestBinaries.marker(dir.resolve("denied"), "marker");
        allowed = TestBinaries.marker(dir.resolve("allowed"), "marker");
    }

    @AfterAll
    static void stop() throws Exception {
        if (enforcer != null) enforcer.close();
        if (cgroup != null) Files.deleteIfExists(cgroup);
    }

    /** Runs a bash command inside the test's cgroup; its exit status. */
    static int inCgroup(String script) throws Exception {
        return TestBinaries.status(List.of("bash", "-c", "echo $$ > " + cgroup.resolve("cgroup.procs") + " && " + script));
    }

    @Test
    void connectToADeniedCidrGetsEpermOthersPass() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            apply("""
                    apiVersion: vigil.dev/v1alpha1
                    kind: EnforcementPolicy
                    metadata: {name: no-testnet}
                    spec:
                      host: true
                      rules:
                      - name: testnet
                        connect:
                          cidrs: ["203.0.113.0/24"]
                        action: Deny
                      - name: one-port
                        connect:
                          cidrs: ["127.0.0.0/8"]
                          ports: [%d]
                        action: Post
                    """.formatted(port));
            Path err = dir.resolve("connect.err");
            assertThat(inCgroup("{ exec 3<>/dev/tcp/203.0.113.9/80; } 2>" + err)).isNotZero();
            assertThat(Files.readString(err)).contains("Operation not permitted");
            Decision d = next(Hook.CONNECT);
            assertThat(d.outcome()).isEqualTo(Decision.Outcome.DENIED);
            assertThat(d.address()).isEqualTo("203.0.113.9");
            assertThat(d.port()).isEqualTo(80);
            assertThat(d.enforcedBy()).isEqualTo("Deny: EPERM from cgroup/connect4 and connect6");
            assertThat(inCgroup("exec 3<>/dev/tcp/127.0.0.1/" + port)).as("loopback connects").isZero();
            Decision posted = next(Hook.CONNECT);
            assertThat(posted.outcome()).isEqualTo(Decision.Outcome.POSTED);
            assertThat(posted.rule()).isEqualTo("one-port");
        }
    }

    /**
     * The connect hook reads the trie only for addresses whose first byte some entry covers, and allows a call that hit
     * no term before it reads the scope: a prefix shorter than a byte covers a range of first bytes, a rule with only
     * ports needs no trie, and IPv6 and bind have their own first bytes.
     */
    @Test
    void shortPrefixesPortOnlyRulesIpv6AndBindAreMatched() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             java.net.ServerSocket other = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             java.net.ServerSocket v6 = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("::1"))) {
            apply("""
                    apiVersion: vigil.dev/v1alpha1
                    kind: EnforcementPolicy
                    metadata: {name: short-prefix}
                    spec:
                      host: true
                      rules:
                      - name: slash-seven
                        connect: {cidrs: ["126.0.0.0/7"]}
                        action: Deny
                    """);
            assertThat(inCgroup("exec 3<>/dev/tcp/127.0.0.1/" + server.getLocalPort())).as("127/8 is inside 126.0.0.0/7").isNotZero();
            assertThat(next(Hook.CONNECT).address()).isEqualTo("127.0.0.1");
            apply("""
                    apiVersion: vigil.dev/v1alpha1
                    kind: EnforcementPolicy
                    metadata: {name: port-and-v6}
                    spec:
                      host: true
                      rules:
                      - name: port-only
                        connect: {ports: [%d]}
                        action: Deny
                      - name: v6-loopback
                        connect: {cidrs: ["::1/128"]}
                        action: Deny
                    """.formatted(server.getLocalPort()));
            assertThat(inCgroup("exec 3<>/dev/tcp/127.0.0.1/" + server.getLocalPort())).as("the denied port").isNotZero();
            assertThat(next(Hook.CONNECT).rule()).isEqualTo("port-only");
            assertThat(inCgroup("exec 3<>/dev/tcp/::1/" + v6.getLocalPort())).as("::1").isNotZero();
            Decision d = next(Hook.CONNECT);
            assertThat(d.rule()).isEqualTo("v6-loopback");
            assertThat(d.address()).isEqualTo("0:0:0:0:0:0:0:1");
            assertThat(inCgroup("exec 3<>/dev/tcp/127.0.0.1/" + other.getLocalPort())).as("another port, IPv4").isZero();
            // bind has first bytes of its own: a bind rule on 127/8 denies a bind there, not one to the wildcard address
            apply("""
                    apiVersion: vigil.dev/v1alpha1
                    kind: EnforcementPolicy
                    metadata: {name: no-loopback-bind}
                    spec:
                      host: true
                      rules:
                      - name: loopback-bind
                        bind: {cidrs: ["127.0.0.0/8"]}
                        action: Deny
                    """);
            Path bindErr = dir.resolve("bind.err");
            assertThat(inCgroup("/usr/bin/python3 -c 'import socket; socket.socket().bind((\"127.0.0.1\", 0))' 2>" + bindErr)).isNotZero();
            assertThat(Files.readString(bindErr)).contains("PermissionError");
            assertThat(next(Hook.BIND).rule()).isEqualTo("loopback-bind");
            assertThat(inCgroup("/usr/bin/python3 -c 'import socket; socket.socket().bind((\"0.0.0.0\", 0))'")).as("the wildcard address").isZero();
            assertThat(inCgroup("exec 3<>/dev/tcp/127.0.0.1/" + server.getLocalPort())).as("a connect: no connect rule").isZero();
        }
    }

    @Test
    void onlyTheHooksTheRulesNeedAreAttachedAndAReloadDetachesTheRest() throws Exception {
        Path prot = Files.createDirectories(dir.resolve("hooks-protected"));
        apply(execPolicy("exec-only", "In", denied.toString(), ""));
        assertThat(enforcer.attachedPrograms()).as("a policy with only exec rules").contains("enf_prepare_exec")
                .doesNotContain("enf_exit_openat", "enf_exit_open", "enf_connect4", "enf_connect6", "enf_bind4", "enf_process_fork");
        apply("""
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: exec-and-open}
                spec:
                  host: true
                  rules:
                  - exec: {matchBinaries: [{operator: In, values: ["%s"]}]}
                    action: Deny
                    fallback: Sigkill
                  - open: {matchPaths: [{operator: Prefix, values: ["%s/"]}], access: write}
                    action: Deny
                    fallback: Sigkill
                """.formatted(denied, prot));
        assertThat(enforcer.attachedPrograms()).contains("enf_prepare_exec", "enf_exit_openat", "enf_exit_openat2");
        assertThat(TestBinaries.status(List.of(allowed.toString(), prot.resolve("w1").toString()))).as("open enforced").isEqualTo(137);
        assertThat(next(Hook.OPEN).outcome()).isEqualTo(Decision.Outcome.KILLED);
        // live: the open rule goes, so do the open programs, and a write there runs again
        apply(execPolicy("exec-only-again", "In", denied.toString(), ""));
        assertThat(enforcer.attachedPrograms()).contains("enf_prepare_exec").doesNotContain("enf_exit_openat", "enf_exit_openat2");
        assertThat(TestBinaries.status(List.of(allowed.toString(), prot.resolve("w2").toString()))).isZero();
        assertThat(prot.resolve("w2")).hasContent("ran");
        assertThat(TestBinaries.status(List.of(denied.toString(), dir.resolve("hooks-m").toString()))).as("exec still enforced").isEqualTo(137);
        // read here, so that it cannot reach the next test's queue
        assertThat(next(Hook.EXEC).outcome()).isEqualTo(Decision.Outcome.KILLED);
    }

    static void apply(String yaml) {
        decisions.clear();
        enforcer.apply(Policies.parse("test.yaml", yaml));
    }

    static Decision next(Hook hook) throws InterruptedException {
        while (true) {
            Decision d = decisions.poll(10, TimeUnit.SECONDS);
            assertThat(d).as("a %s decision within 10 s", hook).isNotNull();
            if (d.hook() == hook) return d;
        }
    }

    static String execPolicy(String name, String operator, String value, String extra) {
        return """
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: %s}
                spec:
                  host: true
                  %s
                  rules:
                  - name: no-run
                    exec:
                      matchBinaries:
                      - operator: %s
                        values: ["%s"]
                    action: Deny
                    fallback: Sigkill
                """.formatted(name, extra, operator, value);
    }

    @Test
    void aDeniedExecIsKilledBeforeItsFirstInstructionAndReported() throws Exception {
        apply(execPolicy("no-denied-dir", "Prefix", dir.resolve("denied") + "/", ""));
        Path m1 = dir.resolve("m1"), m2 = dir.resolve("m2");
        assertThat(TestBinaries.status(List.of(denied.toString(), m1.toString()))).as("exit status of the denied binary").isEqualTo(128 + 9);
        assertThat(m1).as("the denied binary never ran").doesNotExist();
        assertThat(TestBinaries.status(List.of(allowed.toString(), m2.toString()))).isZero();
        assertThat(m2).hasContent("ran");
        Decision d = next(Hook.EXEC);
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.KILLED);
        assertThat(d.path()).isEqualTo(denied.toString());
        assertThat(d.policy()).isEqualTo("no-denied-dir");
        assertThat(d.rule()).isEqualTo("no-run");
        assertThat(d.enforcedBy()).startsWith("Sigkill (fallback for Deny) before the new image runs: sched_");
        assertThat(enforcer.attachedPrograms()).containsAnyOf("enf_prepare_exec", "enf_process_exec");
    }

    /** An executable outside any file system path (a memfd, as fileless malware runs) is matched by its "/memfd:NAME". */
    @Test
    void anExecutableRunFromAMemfdIsKilledBeforeItRuns() throws Exception {
        Path runner = TestBinaries.compile(dir.resolve("memfd"), "memfdrun", TestBinaries.MEMFD_RUN_C);
        Path m0 = dir.resolve("memfd-m0"), m1 = dir.resolve("memfd-m1"), m2 = dir.resolve("memfd-m2");
        assertThat(TestBinaries.status(List.of(runner.toString(), allowed.toString(), m0.toString()))).as("no policy: it runs").isZero();
        assertThat(m0).hasContent("ran");
        apply(execPolicy("no-memfd", "Prefix", "/memfd:", ""));
        assertThat(TestBinaries.status(List.of(runner.toString(), allowed.toString(), m1.toString()))).isEqualTo(137);
        assertThat(m1).as("the memfd copy never ran").doesNotExist();
        assertThat(next(Hook.EXEC).path()).isEqualTo("/memfd:vigil-memfd");
        assertThat(TestBinaries.status(List.of(allowed.toString(), m2.toString()))).as("the same binary from its file").isZero();
    }

    @Test
    void postfixAndExactMatches() throws Exception {
        apply(execPolicy("postfix", "Postfix", "/denied/marker", "") + "---\n"
                + execPolicy("exact", "In", allowed.toString(), "").replace("no-run", "exact-one"));
        assertThat(TestBinaries.status(List.of(denied.toString(), dir.resolve("p1").toString()))).isEqualTo(137);
        assertThat(TestBinaries.status(List.of(allowed.toString(), dir.resolve("p2").toString()))).isEqualTo(137);
        Path copy = dir.resolve("allowed/marker2");
        Files.copy(allowed, copy);
        copy.toFile().setExecutable(true);
        assertThat(TestBinaries.status(List.of(copy.toString(), dir.resolve("p3").toString()))).as("In is exact, not a prefix").isZero();
        assertThat(dir.resolve("p1")).doesNotExist();
        assertThat(dir.resolve("p2")).doesNotExist();
        assertThat(dir.resolve("p3")).exists();
    }

    @Test
    void monitorModeDeniesNothingAndReportsEverything() throws Exception {
        apply(execPolicy("audit", "Prefix", dir.resolve("denied") + "/", "mode: monitor"));
        Path m = dir.resolve("mon");
        assertThat(TestBinaries.status(List.of(denied.toString(), m.toString()))).isZero();
        assertThat(m).hasContent("ran");
        Decision d = next(Hook.EXEC);
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.MONITORED);
        assertThat(d.enforcedBy()).startsWith("Monitor (would be Sigkill");
    }

    @Test
    void aLivePolicyChangeTakesEffectAtOnce() throws Exception {
        apply(execPolicy("live", "Prefix", dir.resolve("denied") + "/", ""));
        assertThat(TestBinaries.status(List.of(denied.toString(), dir.resolve("l1").toString()))).isEqualTo(137);
        apply(execPolicy("live", "Prefix", dir.resolve("allowed") + "/", ""));
        assertThat(TestBinaries.status(List.of(denied.toString(), dir.resolve("l2").toString()))).isZero();
        assertThat(TestBinaries.status(List.of(allowed.toString(), dir.resolve("l3").toString()))).isEqualTo(137);
        enforcer.apply(List.of());
        assertThat(TestBinaries.status(List.of(allowed.toString(), dir.resolve("l4").toString()))).isZero();
        assertThat(dir.resolve("l1")).doesNotExist();
        assertThat(dir.resolve("l3")).doesNotExist();
        assertThat(dir.resolve("l4")).exists();
    }

    @Test
    void anOpenForWriteOfAProtectedPathIsKilledWhileReadsPass() throws Exception {
        Path protectedDir = Files.createDirectories(dir.resolve("protected"));
        Path existing = Files.writeString(protectedDir.resolve("existing"), "data\n");
        apply("""
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: protect}
                spec:
                  host: true
                  rules:
                  - name: no-writes
                    open:
                      matchPaths:
                      - operator: Prefix
                        values: ["%s/"]
                      access: write
                    action: Deny
                    fallback: Sigkill
                """.formatted(protectedDir));
        assertThat(TestBinaries.status(List.of(allowed.toString(), existing.toString()))).isEqualTo(137);
        assertThat(existing).as("the writer was killed before it could write (O_TRUNC had applied)").hasContent("");
        Decision d = next(Hook.OPEN);
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.KILLED);
        assertThat(d.path()).isEqualTo(existing.toString());
        // (not from this JVM: a write here would kill the test itself)
        assertThat(TestBinaries.status(List.of("cat", existing.toString()))).as("a read passes").isZero();
        assertThat(TestBinaries.status(List.of(allowed.toString(), dir.resolve("w-elsewhere").toString()))).isZero();
    }
    @Test
    void specMatchBinariesScopesARuleToTheCallingBinary() throws Exception {
        Path files = Files.createDirectories(dir.resolve("scoped-files"));
        apply("""
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: only-denied-writes}
                spec:
                  host: true
                  matchBinaries:
                  - operator: In
                    values: ["%s"]
                  rules:
                  - name: no-writes
                    open:
                      matchPaths: [{operator: Prefix, values: ["%s/"]}]
                      access: write
                    action: Deny
                    fallback: Sigkill
                """.formatted(denied, files));
        assertThat(TestBinaries.status(List.of(denied.toString(), files.resolve("a").toString()))).isEqualTo(137);
        assertThat(files.resolve("a")).as("killed at the open, before its write").hasContent("");
        assertThat(TestBinaries.status(List.of(allowed.toString(), files.resolve("b").toString()))).as("another binary writes").isZero();
        assertThat(files.resolve("b")).hasContent("ran");
        Decision d = next(Hook.OPEN);
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.KILLED);
        assertThat(d.path()).isEqualTo(files.resolve("a").toString());
        assertThat(d.policy()).isEqualTo("only-denied-writes");
    }

    /** A copy of bash under the test folder: a parent binary nothing else on the machine runs. */
    static Path parentShell() throws Exception {
        Path bash = dir.resolve("parent/bash");
        if (!Files.exists(bash)) {
            Files.createDirectories(bash.getParent());
            Files.copy(Path.of("/bin/bash"), bash);
            bash.toFile().setExecutable(true);
        }
        return bash;
    }

    static String followPolicy(String name, Path parent, boolean follow) {
        return """
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: %s}
                spec:
                  host: true
                  matchBinaries:
                  - operator: In
                    values: ["%s"]
                    followChildren: %s
                  rules:
                  - name: no-denied
                    exec:
                      matchBinaries: [{operator: Prefix, values: ["%s/"]}]
                    action: Deny
                    fallback: Sigkill
                """.formatted(name, parent, follow, dir.resolve("denied"));
    }

    @Test
    void followChildrenCoversTheDescendantsOfTheSelectedBinary() throws Exception {
        Path bash = parentShell();
        // bash forks, the child runs /bin/sh, which forks and execs the marker: the exec is the grandchild's
        String nested = "/bin/sh -c '" + denied + " %s; true'; true";
        apply(followPolicy("follow", bash, true));
        Path f1 = dir.resolve("f1"), f2 = dir.resolve("f2"), f3 = dir.resolve("f3");
        assertThat(TestBinaries.status(List.of(bash.toString(), "-c", nested.formatted(f1)))).isZero();
        assertThat(f1).as("a grandchild of the selected binary was killed at exec").doesNotExist();
        Decision d = next(Hook.EXEC);
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.KILLED);
        assertThat(d.comm()).as("the exec was made by the /bin/sh child, not by bash").isNotEqualTo("bash");

        apply(followPolicy("no-follow", bash, false));
        assertThat(TestBinaries.status(List.of(bash.toString(), "-c", nested.formatted(f2)))).isZero();
        assertThat(f2).as("without followChildren the /bin/sh grandchild is out of scope").hasContent("ran");
        assertThat(TestBinaries.status(List.of(bash.toString(), "-c", denied + " " + f3 + "; true"))).isZero();
        assertThat(f3).as("the selected binary's own (forked) child is in scope").doesNotExist();
    }

    @Test
    void ptraceSetuidToRootAndBpfLoadsAreKilledForTheSelectedBinariesOnly() throws Exception {
        Path calls = dir.resolve("calls"), free = dir.resolve("free");
        Path tracer = TestBinaries.compile(calls, "tracer", TestBinaries.TRACER_C);
        Path setuider = TestBinaries.compile(calls, "setuider", TestBinaries.SETUIDER_C);
        Path bpfloader = TestBinaries.compile(calls, "bpfloader", TestBinaries.BPFLOADER_C);
        Files.createDirectories(free);
        for (Path p : List.of(tracer, setuider, bpfloader)) Files.copy(p, free.resolve(p.getFileName()));
        apply("""
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: calls}
                spec:
                  host: true
                  matchBinaries: [{operator: Prefix, values: ["%s/"]}]
                  rules:
                  - {name: no-ptrace, ptrace: {}, action: Deny, fallback: Sigkill}
                  - {name: no-root, setuid: {}, action: Deny, fallback: Sigkill}
                  - {name: no-bpf, bpf: {}, action: Deny, fallback: Sigkill}
                """.formatted(calls));
        Map<String, String> done = Map.of("tracer", "attached\n", "setuider", "euid 0\n", "bpfloader", "loaded\n");
        for (String name : List.of("tracer", "setuider", "bpfloader")) {
            Path m = dir.resolve("calls-" + name);
            assertThat(TestBinaries.status(List.of(calls.resolve(name).toString(), m.toString()))).as(name).isEqualTo(137);
            assertThat(m).as("%s never got past the call", name).hasContent("");
            Path n = dir.resolve("free-" + name);
            assertThat(TestBinaries.status(List.of(free.resolve(name).toString(), n.toString()))).as(name + " copy").isZero();
            assertThat(n).as("a copy outside the selected folder is not affected").hasContent(done.get(name));
        }
        Decision ptrace = next(Hook.PTRACE);
        assertThat(ptrace.outcome()).isEqualTo(Decision.Outcome.KILLED);
        assertThat(ptrace.rule()).isEqualTo("no-ptrace");
        assertThat(ptrace.enforcedBy()).isEqualTo("Sigkill (fallback for Deny) at the syscall (the attach completes; the tracer "
                + "never returns to user space, and its exit detaches): sys_enter_ptrace");
        assertThat(ptrace.target()).as("the tracee").isNotZero();
        Decision setuid = next(Hook.SETUID);
        assertThat(setuid.outcome()).isEqualTo(Decision.Outcome.KILLED);
        assertThat(setuid.uid()).as("the caller had dropped to nobody").isEqualTo(65534);
        Decision bpf = next(Hook.BPF);
        assertThat(bpf.outcome()).isEqualTo(Decision.Outcome.KILLED);
        assertThat(bpf.comm()).isEqualTo("bpfloader");
        assertThat(enforcer.attachedPrograms()).contains("enf_enter_ptrace", "enf_enter_setresuid", "enf_enter_bpf");
    }
}

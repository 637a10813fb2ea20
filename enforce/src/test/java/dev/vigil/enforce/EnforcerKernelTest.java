package dev.vigil.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.enforce.compile.Hook;
import dev.vigil.enforce.kernel.Decision;
import dev.vigil.enforce.kernel.Enforcer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
}

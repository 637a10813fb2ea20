package dev.vigil.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.enforce.compile.Hook;
import dev.vigil.enforce.compile.PolicyCompiler;
import dev.vigil.enforce.kernel.Decision;
import dev.vigil.enforce.kernel.Enforcer;
import dev.vigil.enforce.policy.EnforcementPolicy.NsKind;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * matchCapabilities, matchNamespaces and the Signal action on this kernel (no LSM: the kill and the signal come at
 * sched_prepare_exec, before the new image runs, and at the exit of open). The selectors are judged in the kernel on
 * the calling task's credentials and namespaces: the same binary is killed or runs by who runs it. Every policy is
 * scoped to binaries and paths under the test's own temporary folder.
 */
class EnforcerSelectorsKernelTest {
    @TempDir
    static Path dir;
    static Enforcer enforcer;
    static final LinkedBlockingQueue<Decision> decisions = new LinkedBlockingQueue<>();
    static Path target, other;

    @BeforeAll
    static void start() throws Exception {
        KernelTests.assumeKernel();
        enforcer = Enforcer.start(Enforcer.Options.defaults().withTamper(false, 0), decisions::add);
        target = TestBinaries.marker(dir.resolve("target"), "marker");
        other = TestBinaries.marker(dir.resolve("other"), "marker");
    }

    @AfterAll
    static void stop() throws Exception {
        if (enforcer != null) enforcer.close();
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

    /** A Sigkill of exec of the target binary, under the given selectors (YAML lines of the rule, indented 4). */
    static String killTarget(String name, String selectors) {
        return """
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: %s}
                spec:
                  host: true
                  rules:
                  - name: kill-target
                    exec:
                      matchBinaries: [{operator: In, values: ["%s"]}]
                %s
                    action: Sigkill
                """.formatted(name, target, selectors.indent(4).stripTrailing());
    }

    /** Runs the target through a shell (so the target is never a namespace's init); the shell's status is the target's. */
    static int sh(String prefix, Path marker) throws Exception {
        return TestBinaries.status(List.of("bash", "-c", prefix + " /bin/sh -c '" + target + " " + marker + "; exit $?'"));
    }

    @Test
    void matchCapabilitiesJudgesTheCallersEffectiveSet() throws Exception {
        String dropAdmin = "setpriv --bounding-set -sys_admin --";
        apply(killTarget("without-sys-admin", """
                matchCapabilities:
                - type: Effective
                  operator: NotIn
                  values: [CAP_SYS_ADMIN]"""));
        Path m1 = dir.resolve("cap1"), m2 = dir.resolve("cap2");
        assertThat(sh("", m1)).as("root with CAP_SYS_ADMIN: NotIn does not hold").isZero();
        assertThat(m1).hasContent("ran");
        assertThat(sh(dropAdmin, m2)).as("CAP_SYS_ADMIN dropped from the bounding set, so from the shell's effective set").isEqualTo(128 + 9);
        assertThat(m2).doesNotExist();
        Decision d = next(Hook.EXEC);
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.KILLED);
        assertThat(d.rule()).isEqualTo("kill-target");

        apply(killTarget("with-sys-admin", """
                matchCapabilities:
                - {type: Effective, operator: In, values: [CAP_SYS_ADMIN, CAP_BPF]}
                - {type: Permitted, operator: In, values: [CAP_SYS_ADMIN]}"""));
        Path m3 = dir.resolve("cap3"), m4 = dir.resolve("cap4");
        assertThat(sh("", m3)).as("root: In holds").isEqualTo(128 + 9);
        assertThat(m3).doesNotExist();
        assertThat(sh(dropAdmin, m4)).as("without CAP_SYS_ADMIN in Permitted the second entry fails").isZero();
        assertThat(m4).hasContent("ran");
        assertThat(TestBinaries.status(List.of(other.toString(), dir.resolve("cap5").toString()))).as("another binary").isZero();
    }

    /** isNamespaceCapability: root of a user namespace of its own has CAP_SYS_ADMIN there; only that root is selected. */
    @Test
    void isNamespaceCapabilitySelectsOnlyCallersOutsideTheHostUserNamespace() throws Exception {
        apply(killTarget("userns-admin", """
                matchCapabilities:
                - {type: Effective, operator: In, values: [CAP_SYS_ADMIN], isNamespaceCapability: true}"""));
        Path m1 = dir.resolve("uns1"), m2 = dir.resolve("uns2");
        assertThat(sh("", m1)).as("host root: CAP_SYS_ADMIN, but in the host's user namespace").isZero();
        assertThat(m1).hasContent("ran");
        assertThat(sh("unshare --user --map-root-user", m2)).as("root of a new user namespace").isEqualTo(128 + 9);
        assertThat(m2).doesNotExist();
        assertThat(next(Hook.EXEC).outcome()).isEqualTo(Decision.Outcome.KILLED);
    }

    @Test
    void matchNamespacesJudgesTheCallersPidAndNetNamespaces() throws Exception {
        apply(killTarget("in-a-new-pid-ns", """
                matchNamespaces:
                - {namespace: Pid, operator: NotIn, values: [host_ns]}"""));
        Path m1 = dir.resolve("ns1"), m2 = dir.resolve("ns2");
        assertThat(sh("", m1)).as("the host's pid namespace").isZero();
        assertThat(m1).hasContent("ran");
        assertThat(sh("unshare --pid --fork", m2)).as("a new pid namespace").isEqualTo(128 + 9);
        assertThat(m2).doesNotExist();
        assertThat(next(Hook.EXEC).outcome()).isEqualTo(Decision.Outcome.KILLED);

        // an inode number, as /proc/PID/ns/net names it: the host's network namespace only
        long hostNet = PolicyCompiler.hostNamespace(NsKind.NET);
        assertThat(hostNet).isPositive();
        apply(killTarget("in-the-host-netns", """
                matchNamespaces:
                - {namespace: Net, operator: In, values: [%d]}
                - {namespace: Mnt, operator: In, values: [host_ns]}""".formatted(hostNet)));
        Path m3 = dir.resolve("ns3"), m4 = dir.resolve("ns4");
        assertThat(sh("", m3)).as("the host's network namespace").isEqualTo(128 + 9);
        assertThat(m3).doesNotExist();
        assertThat(sh("unshare --net", m4)).as("a new network namespace").isZero();
        assertThat(m4).hasContent("ran");
    }

    @Test
    void theSignalActionSendsItsSignalToAMatchingExecAndOpenOnly() throws Exception {
        Path watched = dir.resolve("watched");
        java.nio.file.Files.createDirectories(watched);
        apply("""
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: signals}
                spec:
                  host: true
                  rules:
                  - name: term-target
                    exec:
                      matchBinaries: [{operator: In, values: ["%s"]}]
                    action: Signal
                    argSig: 15
                  - name: usr1-watched
                    open:
                      matchPaths: [{operator: Prefix, values: ["%s/"]}]
                      access: write
                    action: Signal
                    argSig: 10
                """.formatted(target, watched));
        Path m1 = dir.resolve("sig1"), m2 = dir.resolve("sig2");
        assertThat(TestBinaries.status(List.of(target.toString(), m1.toString()))).as("SIGTERM before the new image runs").isEqualTo(128 + 15);
        assertThat(m1).doesNotExist();
        Decision d = next(Hook.EXEC);
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.SIGNALLED);
        assertThat(d.rule()).isEqualTo("term-target");
        assertThat(TestBinaries.status(List.of(other.toString(), m2.toString()))).as("a near miss: another binary").isZero();
        assertThat(m2).hasContent("ran");

        Path w1 = watched.resolve("w1"), w2 = dir.resolve("watched-not");
        assertThat(TestBinaries.status(List.of(other.toString(), w1.toString()))).as("SIGUSR1 at the open: the marker dies before its write")
                .isEqualTo(128 + 10);
        assertThat(w1).isEmptyFile();
        Decision o = next(Hook.OPEN);
        assertThat(o.outcome()).isEqualTo(Decision.Outcome.SIGNALLED);
        assertThat(o.rule()).isEqualTo("usr1-watched");
        assertThat(TestBinaries.status(List.of(other.toString(), w2.toString()))).as("a near miss: a sibling of the folder with its name as a prefix").isZero();
        assertThat(w2).hasContent("ran");
    }
}

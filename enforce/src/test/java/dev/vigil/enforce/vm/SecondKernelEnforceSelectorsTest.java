package dev.vigil.enforce.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.SecondKernel;
import dev.vigil.enforce.TestBinaries;
import dev.vigil.enforce.compile.CompiledPolicies;
import dev.vigil.enforce.kernel.Decision;
import dev.vigil.enforce.kernel.Enforcer;
import dev.vigil.enforce.policy.EnforcementPolicy;
import dev.vigil.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * matchCapabilities and matchNamespaces under BPF LSM (Debian's 6.1 under qemu): the kernel of another release loads
 * the selector code in its LSM programs (CO-RE: 6.1's kernel_cap_t is two u32s), and a Deny guarded by a selector is
 * an EPERM from bprm_check_security for the caller it selects only: without CAP_SYS_ADMIN (setpriv) or in a new
 * network namespace (unshare). VIGIL_VM_TESTS=1 only.
 */
class SecondKernelEnforceSelectorsTest {
    private static final String MARK = "vigil-vm-selectors ";

    @TempDir
    Path dir;

    @Test
    void selectorsGuardAnLsmDenyIn61() throws Exception {
        SecondKernel.assumeEnabled();
        Path capsBin = TestBinaries.marker(dir.resolve("caps"), "marker");
        Path netBin = TestBinaries.marker(dir.resolve("net"), "marker");
        SecondKernel.Result guest = SecondKernel.runJava(GuestMain.class.getName(), List.of(capsBin.toString(), netBin.toString()), 900);
        System.out.print(guest.output());
        assertThat(guest.exit()).as("the guest run failed:%n%s", guest.output()).isZero();
        List<String> lines = guest.output().lines().filter(l -> l.startsWith(MARK)).map(l -> l.substring(MARK.length())).toList();
        assertThat(lines).contains("plan exec Deny: LSM bprm_check_security",
                "caps root exit 0", "caps dropped exit 126", "caps dropped marker absent",
                "net host exit 0", "net new exit 126", "net new marker absent", "decisions [denied, denied]");
    }

    /** Runs in the guest. Args: the marker guarded by matchCapabilities, the one guarded by matchNamespaces. */
    public static final class GuestMain {
        public static void main(String[] args) throws Exception {
            String caps = args[0], net = args[1];
            Path work = Files.createTempDirectory("vigil-vm-selectors");
            String yaml = """
                    apiVersion: vigil.dev/v1alpha1
                    kind: EnforcementPolicy
                    metadata: {name: vm-selectors}
                    spec:
                      host: true
                      rules:
                      - exec: {matchBinaries: [{operator: In, values: ["%s"]}]}
                        matchCapabilities: [{type: Effective, operator: NotIn, values: [CAP_SYS_ADMIN]}]
                        action: Deny
                      - exec: {matchBinaries: [{operator: In, values: ["%s"]}]}
                        matchNamespaces: [{namespace: Net, operator: NotIn, values: [host_ns]}]
                        action: Deny
                    """.formatted(caps, net);
            LinkedBlockingQueue<Decision> decisions = new LinkedBlockingQueue<>();
            try (Enforcer e = Enforcer.start(Enforcer.Options.defaults().withTamper(false, 0), decisions::add)) {
                List<EnforcementPolicy> ps = PolicyLoader.installed().loadText("vm.yaml", yaml).all().stream()
                        .map(EnforcementPolicy.class::cast).toList();
                CompiledPolicies c = e.apply(ps);
                for (CompiledPolicies.RulePlan p : c.plans()) say("plan " + p.hook().label + " " + p.enforcement());
                say("caps root exit " + sh("", caps, work.resolve("c1")));
                Path c2 = work.resolve("c2");
                say("caps dropped exit " + sh("setpriv --bounding-set -sys_admin --", caps, c2));
                say("caps dropped marker " + (Files.exists(c2) ? "present" : "absent"));
                say("net host exit " + sh("", net, work.resolve("n1")));
                Path n2 = work.resolve("n2");
                say("net new exit " + sh("unshare --net", net, n2));
                say("net new marker " + (Files.exists(n2) ? "present" : "absent"));
                List<String> outcomes = new java.util.ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    Decision d = decisions.poll(30, TimeUnit.SECONDS);
                    outcomes.add(d == null ? "none" : d.outcome().label);
                }
                say("decisions " + outcomes);
            }
        }

        /** The binary run by a shell under prefix; the shell's status (126: the exec failed, EPERM). */
        static int sh(String prefix, String bin, Path marker) throws Exception {
            Process p = new ProcessBuilder("bash", "-c", prefix + " /bin/sh -c '" + bin + " " + marker + "; exit $?'")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(120, TimeUnit.SECONDS) ? p.exitValue() : -1;
        }

        static void say(String s) {
            System.out.println(MARK + s);
        }
    }
}

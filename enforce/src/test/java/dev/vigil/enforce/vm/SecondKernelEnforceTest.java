package dev.vigil.enforce.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.SecondKernel;
import dev.vigil.enforce.TestBinaries;
import dev.vigil.enforce.compile.CompiledPolicies;
import dev.vigil.enforce.kernel.Decision;
import dev.vigil.enforce.kernel.Enforcer;
import dev.vigil.enforce.policy.EnforcementPolicy;
import dev.vigil.policy.PolicyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BPF LSM paths, in the second kernel (Debian's 6.1 under qemu, where BPF LSM works): a denied exec fails with
 * EPERM (no kill: the marker binary never ran and the caller got the error), an open for write of a protected path
 * fails with EPERM while reads pass, and each decision says it was the LSM hook. VIGIL_VM_TESTS=1 only.
 */
class SecondKernelEnforceTest {
    private static final String MARK = "vigil-vm-enforce ";

    @TempDir
    Path dir;

    @Test
    void lsmDeniesExecAndOpenWithEperm() throws Exception {
        SecondKernel.assumeEnabled();
        Path marker = TestBinaries.marker(dir.resolve("denied"), "marker");
        Path allowed = TestBinaries.marker(dir.resolve("allowed"), "marker");
        SecondKernel.Result guest = SecondKernel.runJava(GuestMain.class.getName(), List.of(marker.toString(), allowed.toString()), 900);
        System.out.print(guest.output());
        assertThat(guest.exit()).as("the guest run failed:%n%s", guest.output()).isZero();
        List<String> lines = guest.output().lines().filter(l -> l.startsWith(MARK)).map(l -> l.substring(MARK.length())).toList();
        assertThat(lines).anyMatch(l -> l.startsWith("exec denied: ") && l.contains("Operation not permitted"));
        assertThat(lines).contains("plan exec Deny: LSM bprm_check_security", "plan open Deny: LSM file_open", "exec marker absent", "allowed exit 0",
                "open-write exit 3", "read exit 0", "decision exec denied", "decision open denied");
    }

    /** Runs in the guest. Args: the denied marker binary, an allowed copy. */
    public static final class GuestMain {
        public static void main(String[] args) throws Exception {
            Path denied = Path.of(args[0]), allowed = Path.of(args[1]);
            Path work = Files.createTempDirectory("vigil-vm-enforce");
            Path prot = Files.createDirectories(work.resolve("protected"));
            Files.writeString(prot.resolve("existing"), "data\n");
            String yaml = """
                    apiVersion: vigil.dev/v1alpha1
                    kind: EnforcementPolicy
                    metadata: {name: vm}
                    spec:
                      host: true
                      rules:
                      - exec: {matchBinaries: [{operator: In, values: ["%s"]}]}
                        action: Deny
                      - open: {matchPaths: [{operator: Prefix, values: ["%s/"]}], access: write}
                        action: Deny
                    """.formatted(denied, prot);
            LinkedBlockingQueue<Decision> decisions = new LinkedBlockingQueue<>();
            try (Enforcer e = Enforcer.start(Enforcer.Options.defaults().withTamper(false, 0), decisions::add)) {
                List<EnforcementPolicy> ps = PolicyLoader.installed().loadText("vm.yaml", yaml).all().stream()
                        .map(EnforcementPolicy.class::cast).toList();
                CompiledPolicies c = e.apply(ps);
                for (CompiledPolicies.RulePlan p : c.plans()) say("plan " + p.hook().label + " " + p.enforcement());
                Path m = work.resolve("m1");
                try {
                    int rc = status(denied.toString(), m.toString());
                    say("exec ran: exit " + rc);
                } catch (IOException ex) {
                    say("exec denied: " + ex.getMessage().replace('\n', ' '));
                }
                say("exec marker " + (Files.exists(m) ? "present" : "absent"));
                say("allowed exit " + status(allowed.toString(), work.resolve("m2").toString()));
                say("open-write exit " + status(allowed.toString(), prot.resolve("existing").toString()));
                say("read exit " + status("cat", prot.resolve("existing").toString()));
                for (int i = 0; i < 2; i++) {
                    Decision d = decisions.poll(60, TimeUnit.SECONDS);
                    say(d == null ? "decision none" : "decision " + d.hook().label + " " + d.outcome().label);
                }
            }
        }

        static int status(String... cmd) throws Exception {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(120, TimeUnit.SECONDS) ? p.exitValue() : -1;
        }

        static void say(String s) {
            System.out.println(MARK + s);
        }
    }
}

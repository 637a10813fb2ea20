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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BPF LSM paths, in the second kernel (Debian's 6.1 under qemu, where BPF LSM works), in one guest run: a denied
 * exec fails with EPERM (no kill: the marker binary never ran and the caller got the error); an open for write of a
 * protected path fails with EPERM while reads pass; ptrace, setuid to root, a BPF program load and a module load by
 * the selected binaries (spec.matchBinaries) fail with EPERM while copies elsewhere succeed; and the agent (the guest
 * JVM) cannot be ptraced, have its memory read, or be sent SIGKILL/SIGSTOP by another process, each attempt reported.
 * VIGIL_VM_TESTS=1 only.
 */
class SecondKernelEnforceTest {
    private static final String MARK = "vigil-vm-enforce ";

    @TempDir
    Path dir;

    @Test
    void lsmDeniesWithEpermAndProtectsTheAgent() throws Exception {
        SecondKernel.assumeEnabled();
        Path marker = TestBinaries.marker(dir.resolve("denied"), "marker");
        Path allowed = TestBinaries.marker(dir.resolve("allowed"), "marker");
        Path calls = dir.resolve("calls"), free = dir.resolve("free");
        for (String[] b : new String[][] {{"tracer", TestBinaries.TRACER_C}, {"setuider", TestBinaries.SETUIDER_C},
                {"bpfloader", TestBinaries.BPFLOADER_C}, {"modloader", TestBinaries.MODLOADER_C}}) {
            Path p = TestBinaries.compile(calls, b[0], b[1]);
            Files.createDirectories(free);
            Files.copy(p, free.resolve(b[0]));
        }
        SecondKernel.Result guest = SecondKernel.runJava(GuestMain.class.getName(),
                List.of(marker.toString(), allowed.toString(), calls.toString(), free.toString()), 900);
        System.out.print(guest.output());
        assertThat(guest.exit()).as("the guest run failed:%n%s", guest.output()).isZero();
        List<String> lines = guest.output().lines().filter(l -> l.startsWith(MARK)).map(l -> l.substring(MARK.length())).toList();
        assertThat(lines).anyMatch(l -> l.startsWith("exec denied: ") && l.contains("Operation not permitted"));
        assertThat(lines).contains("plan exec Deny: LSM bprm_check_security", "plan open Deny: LSM file_open",
                "plan ptrace Deny: LSM ptrace_access_check", "plan setuid Deny: LSM task_fix_setuid", "plan bpf Deny: LSM bpf",
                "plan module_load Deny: LSM kernel_read_file and kernel_load_data",
                "exec marker absent", "allowed exit 0", "open-write exit 3", "read exit 0",
                "calls/tracer errno 1", "free/tracer attached", "calls/setuider errno 1", "free/setuider euid 0",
                "calls/bpfloader errno 1", "free/bpfloader loaded", "calls/modloader errno 1", "free/modloader loaded",
                "agent ptrace errno 1", "agent mem open refused", "own mem open allowed", "agent kill -KILL refused",
                "agent kill -STOP refused",
                "decision exec denied", "decision open denied", "decision ptrace denied", "decision setuid denied",
                "decision bpf denied", "decision module_load denied", "decision tamper signal 9", "decision tamper ptrace");
    }

    /** Runs in the guest. Args: the denied marker binary, an allowed copy, the selected folder of callers, a free copy of it. */
    public static final class GuestMain {
        public static void main(String[] args) throws Exception {
            Path denied = Path.of(args[0]), allowed = Path.of(args[1]), calls = Path.of(args[2]), free = Path.of(args[3]);
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
                    ---
                    apiVersion: vigil.dev/v1alpha1
                    kind: EnforcementPolicy
                    metadata: {name: vm-calls}
                    spec:
                      host: true
                      matchBinaries: [{operator: Prefix, values: ["%s/"]}]
                      rules:
                      - {ptrace: {}, action: Deny}
                      - {setuid: {}, action: Deny}
                      - {bpf: {}, action: Deny}
                      - {module_load: {}, action: Deny}
                    """.formatted(denied, prot, calls);
            LinkedBlockingQueue<Decision> decisions = new LinkedBlockingQueue<>();
            long self = ProcessHandle.current().pid();
            // the defaults: tamper reports and self-protection of this process (the agent here)
            try (Enforcer e = Enforcer.start(Enforcer.Options.defaults(), decisions::add)) {
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
                Path module = dummyModule();
                for (Path folder : List.of(calls, free)) {
                    for (String b : List.of("tracer", "setuider", "bpfloader", "modloader")) {
                        Path out = work.resolve(folder.getFileName() + "-" + b);
                        int rc = b.equals("modloader") ? status(folder.resolve(b).toString(), out.toString(), module.toString())
                                : status(folder.resolve(b).toString(), out.toString());
                        say(folder.getFileName() + "/" + b + " " + (rc == 0 ? Files.readString(out).strip() : "exit " + rc));
                    }
                }
                // self-protection: a process that is not selected by any policy tries the agent
                Path t = work.resolve("agent-ptrace");
                status(free.resolve("tracer").toString(), t.toString(), Long.toString(self));
                say("agent ptrace " + Files.readString(t).strip());
                // opening /proc/PID/mem is where the kernel checks ptrace access (PTRACE_MODE_ATTACH)
                say("agent mem open " + (status("/bin/sh", "-c", "exec 3</proc/" + self + "/mem") == 0 ? "allowed" : "refused"));
                say("own mem open " + (status("/bin/sh", "-c", "exec 3</proc/$$/mem") == 0 ? "allowed" : "refused"));
                say("agent kill -KILL " + (status("/bin/sh", "-c", "kill -KILL " + self) == 0 ? "sent" : "refused"));
                say("agent kill -STOP " + (status("/bin/sh", "-c", "kill -STOP " + self) == 0 ? "sent" : "refused"));
                Set<String> want = new HashSet<>(Set.of("decision exec denied", "decision open denied", "decision ptrace denied",
                        "decision setuid denied", "decision bpf denied", "decision module_load denied", "decision tamper signal 9",
                        "decision tamper ptrace"));
                while (!want.isEmpty()) {
                    Decision d = decisions.poll(60, TimeUnit.SECONDS);
                    if (d == null) break;
                    String line = d.outcome() == Decision.Outcome.TAMPER
                            ? "decision tamper " + (d.signal() == 0 ? "ptrace" : "signal " + d.signal())
                            : "decision " + d.hook().label + " " + d.outcome().label;
                    if (want.remove(line)) say(line);
                }
                say("decisions missing " + want);
            }
        }

        /** A module of the guest kernel's that nothing loads: dummy.ko from the cache the VM set-up filled. */
        static Path dummyModule() {
            String release = System.getProperty("os.version");
            String cache = System.getenv().getOrDefault("VIGIL_VM_CACHE", "/var/cache/vigil-vm");
            return Path.of(cache, release, "root/lib/modules", release, "kernel/drivers/net/dummy.ko");
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

package dev.vigil.enforce.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.SecondKernel;
import dev.vigil.enforce.TestBinaries;
import dev.vigil.enforce.compile.CompiledPolicies;
import dev.vigil.enforce.kernel.Decision;
import dev.vigil.enforce.kernel.Enforcer;
import dev.vigil.enforce.policy.EnforcementPolicy;
import dev.vigil.ebpf.pin.PinDirectory;
import dev.vigil.policy.PinStore;
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
 * The guard of Vigil's own objects: another root process's {@code bpftool link detach} of its exec link, {@code rm} of
 * its pin and {@code bpftool map delete} on its map fail with EPERM (and the exec stays denied), each reported; then
 * {@code vigil policy remove} (another JVM) still takes the pins away, through the unlock map, reported. The switch:
 * with enforcement.self_protection off (Options.protect) a SIGKILL of the protected process goes through, with it on
 * it is refused. VIGIL_VM_TESTS=1 only.
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
                "decision bpf denied", "decision module_load denied", "decision tamper signal 9", "decision tamper ptrace",
                "link detach refused", "pin rm refused", "pin present", "map delete refused", "exec still denied",
                "decision tamper link_detach refused", "decision tamper pin_remove refused", "decision tamper map_write refused",
                "policy remove exit 0", "pins gone", "decision tamper unlock",
                "protect on: kill -KILL refused, alive", "protect on: kill -TERM stopped it", "protect off: kill -KILL sent, dead", "decisions missing []");
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
            Path pinRoot = Path.of("/sys/fs/bpf/vigil-vmtest");
            Path pins = pinRoot.resolve("enforcement");
            // the defaults: tamper reports and self-protection of this process (the agent here); pinned
            try (Enforcer e = Enforcer.start(Enforcer.Options.defaults().withPins(new PinDirectory(pins)), decisions::add)) {
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
                // the guard of Vigil's own objects, against another root process
                int link = e.linkId("enf_lsm_bprm");
                say("link detach " + (bpftool("link", "detach", "id", Integer.toString(link)).contains("Operation not permitted")
                        ? "refused" : "went through"));
                Path pin = pins.resolve("enf_lsm_bprm");
                say("pin rm " + (status("rm", "-f", pin.toString()) == 0 ? "went through" : "refused"));
                say("pin " + (Files.exists(pin) ? "present" : "gone"));
                String del = bpftool("map", "delete", "id", Integer.toString(e.mapId("enf_procs")), "key", "0x7f", "0xff", "0xff", "0xff");
                say("map delete " + (del.contains("Operation not permitted") ? "refused" : "answered " + del));
                Path m3 = work.resolve("m3");
                try {
                    status(denied.toString(), m3.toString());
                } catch (IOException ex) {
                    if (!Files.exists(m3)) say("exec still denied");
                }
                // vigil policy remove's work (PinStore.remove: the unlock map first, then the pins), from another process
                // while this agent runs; this module's classes, since the CLI is built after it (a clean CI build has none)
                Process rm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                        PolicyRemove.class.getName(), pinRoot.toString()).redirectErrorStream(true).start();
                String rmOut = new String(rm.getInputStream().readAllBytes());
                System.out.print(rmOut);
                say("policy remove exit " + (rm.waitFor(300, TimeUnit.SECONDS) ? rm.exitValue() : -1));
                say("pins " + (new PinDirectory(pinRoot).pins().isEmpty() ? "gone" : "left: " + new PinDirectory(pinRoot).pins()));
                Set<String> want = new HashSet<>(Set.of("decision exec denied", "decision open denied", "decision ptrace denied",
                        "decision setuid denied", "decision bpf denied", "decision module_load denied", "decision tamper signal 9",
                        "decision tamper ptrace", "decision tamper link_detach refused", "decision tamper pin_remove refused",
                        "decision tamper map_write refused", "decision tamper unlock"));
                awaitDecisions(decisions, want);
            } finally {
                new PinStore(pinRoot).remove();
                Files.deleteIfExists(pins);
                Files.deleteIfExists(pinRoot);
            }
            switchTest();
        }

        /**
         * enforcement.self_protection: an agent (another JVM running the enforcer) with it on cannot be SIGKILLed by another
         * root process, and stops on SIGTERM; with it off the SIGKILL goes through.
         */
        static void switchTest() throws Exception {
            for (boolean protect : new boolean[] {true, false}) {
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                Process agent = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                        "-cp", System.getProperty("java.class.path"), Agent.class.getName(), Boolean.toString(protect))
                        .redirectErrorStream(true).start();
                try {
                    var out = new java.io.BufferedReader(new java.io.InputStreamReader(agent.getInputStream()));
                    String line;
                    while ((line = out.readLine()) != null && !line.equals("ready")) System.out.println(line);
                    if (line == null) {
                        say("protect " + (protect ? "on" : "off") + ": the agent did not start");
                        continue;
                    }
                    int rc = status("/bin/sh", "-c", "kill -KILL " + agent.pid());
                    boolean dead = agent.waitFor(protect ? 3 : 60, TimeUnit.SECONDS);
                    say("protect " + (protect ? "on" : "off") + ": kill -KILL " + (rc == 0 ? "sent" : "refused") + ", " + (dead ? "dead" : "alive"));
                    if (!dead) {
                        status("/bin/sh", "-c", "kill -TERM " + agent.pid());
                        say("protect " + (protect ? "on" : "off") + ": kill -TERM " + (agent.waitFor(60, TimeUnit.SECONDS) ? "stopped it" : "did not stop it"));
                    }
                } finally {
                    agent.destroyForcibly();
                }
            }
        }

        static void awaitDecisions(LinkedBlockingQueue<Decision> decisions, Set<String> want) throws InterruptedException {
            while (!want.isEmpty()) {
                Decision d = decisions.poll(60, TimeUnit.SECONDS);
                if (d == null) break;
                String line = d.outcome() != Decision.Outcome.TAMPER ? "decision " + d.hook().label + " " + d.outcome().label
                        : "decision tamper " + switch (d.tamperKind()) {
                            case "signal" -> "signal " + d.signal();
                            case "ptrace", "unlock" -> d.tamperKind();
                            default -> d.tamperKind() + (d.refused() ? " refused" : " passed");
                        };
                if (want.remove(line)) say(line);
            }
            say("decisions missing " + want);
        }

        static String bpftool(String... args) throws Exception {
            List<String> cmd = new java.util.ArrayList<>(List.of("/usr/sbin/bpftool"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor(120, TimeUnit.SECONDS);
            return "exit " + p.exitValue() + ": " + out;
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

        /** What {@code vigil policy remove -o policy.pin_root=ROOT} does, run as its own process. */
        public static final class PolicyRemove {
            public static void main(String[] args) {
                System.out.println("removed " + new PinStore(Path.of(args[0])).remove() + " pins under " + args[0]);
            }
        }

        /** An agent of its own (this process is the one protected): the enforcer with enforcement.self_protection as asked. */
        public static final class Agent {
            public static void main(String[] args) throws Exception {
                boolean protect = Boolean.parseBoolean(args[0]);
                try (Enforcer e = Enforcer.start(Enforcer.Options.defaults().withProtect(protect), d -> { })) {
                    System.out.println("ready");
                    System.out.flush();
                    Thread.sleep(600_000);
                }
            }
        }

        static void say(String s) {
            System.out.println(MARK + s);
        }
    }
}

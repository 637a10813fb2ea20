package dev.vigil.enforce.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.pin.PinDirectory;
import dev.vigil.ebpf.testing.SecondKernel;
import dev.vigil.enforce.TestBinaries;
import dev.vigil.enforce.kernel.Decision;
import dev.vigil.enforce.kernel.Enforcer;
import dev.vigil.enforce.policy.EnforcementPolicy;
import dev.vigil.policy.PinStore;
import dev.vigil.policy.PolicyLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart adoption under BPF LSM, in the second kernel (Debian's 6.1 under qemu): an agent (a JVM running the enforcer
 * with pins, enforcement.self_protection off so that a SIGKILL reaches it) denies an exec with EPERM; SIGKILLed, its
 * pinned LSM link goes on denying with no agent; a new agent started on the same pin root takes the pins over (the pinned
 * link is a new one, and the new agent is told of the SIGKILL through the pinned tamper record), the denial holds, a live
 * policy change moves it to another binary (so the old run's link really went), SIGKILL of the second agent leaves its
 * own state enforcing, and {@code vigil policy remove}'s work (PinStore.remove) takes it away. VIGIL_VM_TESTS=1 only.
 */
class SecondKernelEnforceRestartTest {
    private static final String MARK = "vigil-vm-restart ";

    @TempDir
    Path dir;

    @Test
    void aRestartedAgentAdoptsThePinnedLsmState() throws Exception {
        SecondKernel.assumeEnabled();
        Path first = TestBinaries.marker(dir.resolve("first"), "marker");
        Path second = TestBinaries.marker(dir.resolve("second"), "marker");
        SecondKernel.Result guest = SecondKernel.runJava(GuestMain.class.getName(), List.of(first.toString(), second.toString()), 900);
        System.out.print(guest.output());
        assertThat(guest.exit()).as("the guest run failed:%n%s", guest.output()).isZero();
        List<String> lines = guest.output().lines().filter(l -> l.startsWith(MARK)).map(l -> l.substring(MARK.length())).toList();
        assertThat(lines).containsSubsequence(
                "lsm yes",
                "agent 1: first denied",
                "agent 1: second ran",
                "agent 1 killed",
                "no agent: first denied",
                "agent 2: told of tamper signal 9",
                "agent 2: first denied",
                "agent 2: the pinned exec link is a new one",
                "agent 2 applied the change",
                "agent 2 after the change: first ran",
                "agent 2 after the change: second denied",
                "agent 2 killed",
                "no agent again: first ran",
                "no agent again: second denied",
                "policy remove: pins gone",
                "after remove: second ran");
    }

    /** Runs in the guest. Args: two marker binaries. */
    public static final class GuestMain {
        public static void main(String[] args) throws Exception {
            Path first = Path.of(args[0]), second = Path.of(args[1]);
            Path work = Files.createTempDirectory("vigil-vm-restart");
            Path pinRoot = Path.of("/sys/fs/bpf/vigil-vmrestart");
            Path link = pinRoot.resolve("enforcement").resolve("enf_lsm_bprm");
            Path denyFirst = Files.writeString(work.resolve("first.yaml"), policy(first));
            Path denySecond = Files.writeString(work.resolve("second.yaml"), policy(second));
            try {
                say("lsm " + (dev.vigil.enforce.compile.KernelCaps.of(dev.vigil.ebpf.feature.FeatureProbe.probe()).lsm() ? "yes" : "no"));
                Agent a1 = Agent.start(pinRoot, denyFirst);
                say("agent 1: first " + exec(first, work));
                say("agent 1: second " + exec(second, work));
                String linkBefore = linkIdOf(link);
                say("agent 1 " + a1.kill());
                say("no agent: first " + exec(first, work));
                Agent a2 = Agent.start(pinRoot, denyFirst);
                if (a2.await(l -> l.equals("decision tamper signal 9"), 30)) say("agent 2: told of tamper signal 9");
                say("agent 2: first " + exec(first, work));
                String linkAfter = linkIdOf(link);
                say("agent 2: the pinned exec link is " + (!linkAfter.isEmpty() && !linkAfter.equals(linkBefore)
                        ? "a new one" : "unchanged (" + linkBefore + " -> " + linkAfter + ")"));
                a2.send("apply " + denySecond);
                say("agent 2 " + (a2.await(l -> l.equals("applied"), 300) ? "applied the change" : "did not apply the change"));
                say("agent 2 after the change: first " + exec(first, work));
                say("agent 2 after the change: second " + exec(second, work));
                say("agent 2 " + a2.kill());
                say("no agent again: first " + exec(first, work));
                say("no agent again: second " + exec(second, work));
                int removed = new PinStore(pinRoot).remove();
                System.out.println("policy remove: " + removed + " pins removed");
                say("policy remove: " + (new PinDirectory(pinRoot).pins().isEmpty() ? "pins gone" : "left " + new PinDirectory(pinRoot).pins()));
                say("after remove: second " + exec(second, work));
            } finally {
                new PinStore(pinRoot).remove();
            }
        }

        static String policy(Path binary) {
            return """
                    apiVersion: vigil.dev/v1alpha1
                    kind: EnforcementPolicy
                    metadata: {name: restart}
                    spec:
                      host: true
                      rules:
                      - exec: {matchBinaries: [{operator: In, values: ["%s"]}]}
                        action: Deny
                    """.formatted(binary);
        }

        private static int execs;

        /** "denied" (EPERM, the marker never ran), "ran" (exit 0, marker written), or what happened instead. */
        static String exec(Path binary, Path work) throws Exception {
            Path m = work.resolve("m" + execs++);
            try {
                Process p = new ProcessBuilder(binary.toString(), m.toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                int rc = p.waitFor(120, TimeUnit.SECONDS) ? p.exitValue() : -1;
                return rc == 0 && Files.exists(m) ? "ran" : "exit " + rc + (Files.exists(m) ? ", marker written" : "");
            } catch (IOException e) {
                return e.getMessage().contains("Operation not permitted") && !Files.exists(m) ? "denied" : "failed: " + e.getMessage();
            }
        }

        /** The kernel id of the link pinned at pin (bpftool's first word), or "". */
        static String linkIdOf(Path pin) throws Exception {
            if (!Files.exists(pin)) return "";
            Process p = new ProcessBuilder("/usr/sbin/bpftool", "link", "show", "pinned", pin.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor(120, TimeUnit.SECONDS);
            return out.isEmpty() ? "" : out.split(":", 2)[0];
        }

        static void say(String s) {
            System.out.println(MARK + s);
        }
    }

    /** An agent process (AgentMain in its own JVM): its output lines on a queue, commands on its stdin. */
    record Agent(Process process, List<String> lines, PrintStream in) {
        static Agent start(Path pinRoot, Path policy) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), AgentMain.class.getName(), pinRoot.toString(), policy.toString())
                    .redirectErrorStream(true).start();
            List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        System.out.println("agent " + p.pid() + ": " + l);
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // the agent was killed
                }
            });
            Agent a = new Agent(p, lines, new PrintStream(p.getOutputStream(), true));
            if (!a.await(l -> l.equals("ready"), 300)) throw new IllegalStateException("agent " + p.pid() + " did not start");
            return a;
        }

        /** Whether the agent printed a line matching, or prints one within timeoutS. */
        boolean await(java.util.function.Predicate<String> matching, long timeoutS) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
            while (lines.stream().noneMatch(matching)) {
                if (System.nanoTime() > end || !process.isAlive() && lines.stream().noneMatch(matching)) return lines.stream().anyMatch(matching);
                Thread.sleep(50);
            }
            return true;
        }

        void send(String command) {
            in.println(command);
        }

        /** SIGKILL from another process (a shell), as an operator or an attacker would. */
        String kill() throws Exception {
            Process k = new ProcessBuilder("/bin/sh", "-c", "kill -KILL " + process.pid()).start();
            boolean sent = k.waitFor(60, TimeUnit.SECONDS) && k.exitValue() == 0;
            return (sent && process.waitFor(60, TimeUnit.SECONDS) ? "killed" : "not killed");
        }
    }

    /**
     * The agent: the enforcer with pins under the root, self-protection off, the policy file applied; then "apply FILE"
     * lines on stdin replace the policies live. Prints "ready", "applied" and each decision it is told of.
     */
    public static final class AgentMain {
        public static void main(String[] args) throws Exception {
            Path pins = Path.of(args[0]).resolve("enforcement");
            Enforcer e = Enforcer.start(Enforcer.Options.defaults().withProtect(false).withPins(new PinDirectory(pins)), d -> {
                if (d.outcome() == Decision.Outcome.TAMPER && "signal".equals(d.tamperKind())) System.out.println("decision tamper signal " + d.signal());
            });
            e.apply(load(Path.of(args[1])));
            System.out.println("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            for (String l; (l = in.readLine()) != null; ) {
                if (l.startsWith("apply ")) {
                    e.apply(load(Path.of(l.substring(6))));
                    System.out.println("applied");
                }
            }
            Thread.sleep(Long.MAX_VALUE); // killed by the test
        }

        static List<EnforcementPolicy> load(Path file) throws IOException {
            return PolicyLoader.installed().loadText(file.toString(), Files.readString(file)).all().stream()
                    .map(EnforcementPolicy.class::cast).toList();
        }
    }
}

package dev.vigil.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.enforce.kernel.Decision;
import dev.vigil.enforce.kernel.Enforcer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Tamper reports on this kernel (no LSM: nothing can be refused, everything is reported by the kernel side): another
 * process (bpftool) deleting an element of one of Vigil's maps, or detaching one of its links, raises a TAMPER decision
 * naming the object; the agent's own map writes raise none.
 */
class EnforcerTamperKernelTest {
    @Test
    void bpftoolWritingVigilsMapOrDetachingItsLinkIsReported() throws Exception {
        KernelTests.assumeKernel();
        assertThat(Files.isExecutable(Path.of("/usr/sbin/bpftool"))).as("bpftool (Debian package bpftool)").isTrue();
        LinkedBlockingQueue<Decision> decisions = new LinkedBlockingQueue<>();
        int self = (int) ProcessHandle.current().pid();
        try (Enforcer e = Enforcer.start(Enforcer.Options.defaults(), decisions::add)) {
            // the agent's own writes: a policy applied (every table written) is not tampering
            e.apply(dev.vigil.policy.PolicyLoader.installed().loadText("t.yaml", """
                    apiVersion: vigil.dev/v1alpha1
                    kind: EnforcementPolicy
                    metadata: {name: t}
                    spec:
                      host: true
                      rules:
                      - exec: {matchBinaries: [{operator: In, values: ["/nonexistent-vigil-tamper/x"]}]}
                        action: Sigkill
                    """).all().stream().map(dev.vigil.enforce.policy.EnforcementPolicy.class::cast).toList());
            int procs = e.mapId("enf_procs");
            int link = e.linkId("enf_signal_generate");
            assertThat(procs).isPositive();
            assertThat(link).isPositive();
            // deleting a key that is not there: harmless, and the call is seen at its entry whatever it returns
            String out = bpftool("map", "delete", "id", Integer.toString(procs), "key", "0x7f", "0xff", "0xff", "0xff");
            Decision map = awaitTamper(decisions, "map_write");
            assertThat(map.target()).as("the map's id (%s)", out).isEqualTo(procs);
            assertThat(map.comm()).isEqualTo("bpftool");
            assertThat(map.refused()).as("no LSM here: reported, not refused").isFalse();
            assertThat(map.describe()).contains("write to Vigil's map id " + procs, "(bpftool)");

            bpftool("link", "detach", "id", Integer.toString(link));
            Decision detach = awaitTamper(decisions, "link_detach");
            assertThat(detach.target()).isEqualTo(link);
            assertThat(detach.tgid()).isNotEqualTo(self);

            // another process's map that is not Vigil's: nothing reported
            bpftool("map", "create", "/sys/fs/bpf/vigil-enforce-tamper-" + self, "type", "hash", "key", "4", "value", "4",
                    "entries", "4", "name", "not_vigils");
            try {
                bpftool("map", "update", "pinned", "/sys/fs/bpf/vigil-enforce-tamper-" + self, "key", "1", "0", "0", "0",
                        "value", "1", "0", "0", "0");
            } finally {
                Files.deleteIfExists(Path.of("/sys/fs/bpf/vigil-enforce-tamper-" + self));
            }
            // a marker write to Vigil's map after it: everything before it has been read once this one arrives
            bpftool("map", "delete", "id", Integer.toString(procs), "key", "0x7e", "0xff", "0xff", "0xff");
            awaitTamper(decisions, "map_write");
            List<Decision> rest = new ArrayList<>();
            decisions.drainTo(rest);
            assertThat(rest).as("nothing for the foreign map, nothing for the agent's own writes")
                    .noneMatch(d -> d.outcome() == Decision.Outcome.TAMPER);
        }
    }

    /**
     * No LSM here: removing or moving a pin is reported from sys_enter_unlink*, rename* (not refused). An absolute path,
     * a bare name in the working directory (mv) and one relative to a folder's fd (find -delete) are each reported with
     * the pin's name; a file in a bpffs folder that is not Vigil's is not.
     */
    @Test
    void removingOrMovingAPinIsReported() throws Exception {
        KernelTests.assumeKernel();
        int self = (int) ProcessHandle.current().pid();
        Path root = Path.of(System.getenv().getOrDefault("VIGIL_BPF_PIN_ROOT", "/sys/fs/bpf/vigil-enforce")), pins = root.resolve("enforcement");
        Path foreign = Path.of("/sys/fs/bpf/vigil-enforce-foreign-" + self);
        LinkedBlockingQueue<Decision> decisions = new LinkedBlockingQueue<>();
        try (Enforcer e = Enforcer.start(Enforcer.Options.defaults().withPins(new dev.vigil.ebpf.pin.PinDirectory(pins)), decisions::add)) {
            assertThat(e.attachedPrograms()).contains("enf_enter_unlinkat", "enf_enter_renameat2");
            assertThat(pins.resolve("enf_tamper_last")).exists();
            assertThat(sh("rm " + pins.resolve("enf_tamper_last"))).isZero();
            Decision rm = awaitTamper(decisions, "pin_remove");
            assertThat(rm.path()).isEqualTo("enf_tamper_last");
            assertThat(rm.comm()).isEqualTo("rm");
            assertThat(rm.refused()).isFalse();
            assertThat(sh("cd " + pins + " && mv unlock unlock-moved")).isZero();
            Decision mv = awaitTamper(decisions, "pin_remove");
            assertThat(mv.path()).isEqualTo("unlock");
            assertThat(mv.comm()).isEqualTo("mv");
            assertThat(sh("find " + pins + " -name unlock-moved -delete")).isZero();
            assertThat(awaitTamper(decisions, "pin_remove").path()).isEqualTo("unlock-moved");
            // a folder that is not Vigil's, on the same bpffs: nothing
            bpftool("map", "create", foreign.toString(), "type", "hash", "key", "4", "value", "4", "entries", "4", "name", "not_vigils");
            assertThat(sh("rm " + foreign)).isZero();
            // a marker removal after it: everything before it has been read once this one arrives
            assertThat(sh("rm " + pins.resolve("enf_signal_generate"))).isZero();
            assertThat(awaitTamper(decisions, "pin_remove").path()).isEqualTo("enf_signal_generate");
            List<Decision> rest = new ArrayList<>();
            decisions.drainTo(rest);
            assertThat(rest).as("nothing for the foreign pin").noneMatch(d -> d.outcome() == Decision.Outcome.TAMPER);
        } finally {
            Files.deleteIfExists(foreign);
            new dev.vigil.policy.PinStore(root).remove();
            Files.deleteIfExists(pins);
            Files.deleteIfExists(root);
        }
    }

    static int sh(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    static Decision awaitTamper(LinkedBlockingQueue<Decision> q, String kind) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Decision d = q.poll(1, TimeUnit.SECONDS);
            if (d == null) continue;
            assertThat(d.tgid()).as("a tamper report about the agent itself: %s", d.describe())
                    .isNotEqualTo((int) ProcessHandle.current().pid());
            if (d.outcome() == Decision.Outcome.TAMPER && d.tamperKind().equals(kind)) return d;
        }
        throw new AssertionError("no " + kind + " tamper report within 20 s");
    }

    static String bpftool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/bpftool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return "exit " + p.exitValue() + ": " + out.strip();
    }
}

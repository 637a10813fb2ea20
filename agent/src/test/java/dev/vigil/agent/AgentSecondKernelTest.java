package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.agent.config.AgentConfig;
import dev.vigil.ebpf.testing.SecondKernel;
import dev.vigil.events.EventType;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Scenarios this host's kernel cannot act out (it has no module syscalls at all), run in the second kernel (Debian
 * 12's 6.1 under qemu, scripts/vm/), where the agent with the bundled stable rules runs unchanged from this class
 * path. Slow (software-emulated guest) and needs root and qemu: only with VIGIL_VM_TESTS=1, as SecondKernelFeatureTest.
 */
class AgentSecondKernelTest {
    private static final String MARK = "vigil-vm-agent ";
    private static final long GUEST_TIMEOUT_S = 210;   // keeps the test under ~4 minutes on a busy host
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * "Linux Kernel Module Injection Detected": kmod's real insmod, as root (CAP_SYS_MODULE), in a cgroup named as
     * Docker names a container's, calls finit_module on a junk file. The kernel refuses the module, but the attempt
     * is what the rule exists to see. The same insmod outside any container, and in the container without
     * CAP_SYS_MODULE, come first and must raise nothing.
     */
    @Test
    void kernelModuleLoadFromAContainer() throws Exception {
        String id = (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
        long t0 = System.nanoTime();
        SecondKernel.Result guest = SecondKernel.runJava(GuestMain.class.getName(), List.of(id), GUEST_TIMEOUT_S);
        System.err.printf("guest run: %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
        System.out.print(guest.output());
        assertThat(guest.exit()).as("run-in-vm.sh failed:%n%s", guest.output()).isZero();

        String kernel = null, types = null;
        List<JsonNode> alerts = new ArrayList<>();
        for (String line : guest.output().lines().toList()) {
            if (line.startsWith(MARK + "kernel ")) kernel = line.substring((MARK + "kernel ").length());
            else if (line.startsWith(MARK + "types ")) types = line.substring((MARK + "types ").length());
            else if (line.startsWith(MARK + "alert ")) alerts.add(JSON.readTree(line.substring((MARK + "alert ").length())));
        }
        assertThat(kernel).as("the guest's kernel").isNotNull().startsWith("6.1.");
        assertThat(types).as("selected event types in the guest").contains("finit_module").contains("init_module");

        // each attempt reached the kernel: refused as junk, or for the missing capability
        List<String> ran = guest.output().lines().filter(l -> l.startsWith(MARK + "ran ")).toList();
        assertThat(ran).hasSize(3);
        assertThat(ran.get(0)).contains("Invalid module format");
        assertThat(ran.get(1)).contains("Operation not permitted");
        assertThat(ran.get(2)).contains("Invalid module format");

        List<JsonNode> ours = alerts.stream().filter(a -> a.path("rule").asText().equals("Linux Kernel Module Injection Detected"))
                .toList();
        assertThat(ours).as("module injection alerts (the attack only); all alerts: %s", alerts).hasSize(1);
        JsonNode a = ours.getFirst();
        JsonNode f = a.path("output_fields");
        assertThat(a.path("priority").asText()).isEqualTo("Warning");
        assertThat(f.path("evt.type").asText()).isEqualTo("finit_module");
        assertThat(f.path("container.id").asText()).isEqualTo(id.substring(0, 12));
        // no engine in the guest: identity from the cgroup path only, metadata absent (<NA> in text)
        assertThat(f.path("container.name").isNull()).as(f.toString()).isTrue();
        assertThat(f.path("proc.name").asText()).isEqualTo("insmod");
        // insmod is a link to kmod; the guest's command runs chrooted (scripts/vm/guest-init.sh): paths as it sees them
        assertThat(f.path("proc.exepath").asText()).isEqualTo("/usr/bin/kmod");
        assertThat(f.path("proc.args").asText()).matches("/tmp/\\S+/rootkit\\.ko");
        assertThat(f.path("proc.cmdline").asText()).isEqualTo("insmod " + f.path("proc.args").asText());
        assertThat(f.path("proc.pname").asText()).isEqualTo("java");
        assertThat(f.path("user.name").asText()).isEqualTo("root");
        assertThat(f.path("user.uid").asLong()).isZero();
        // the kernel refused the junk (ENOEXEC, or a signature error): a failed attempt, not ENOSYS
        assertThat(f.path("evt.res").asText()).startsWith("E").isNotEqualTo("ENOSYS");
        assertThat(a.path("output").asText()).contains("Linux Kernel Module injection from container");
    }

    /** Runs in the guest: the agent, a "container" cgroup, insmod in it; prints the alerts as marked lines. */
    public static final class GuestMain {
        public static void main(String[] args) throws Exception {
            String id = args[0];
            System.out.println(MARK + "kernel " + System.getProperty("os.version"));
            Path dir = Files.createTempDirectory("vigil-vm");
            Path alerts = dir.resolve("alerts.json");
            Path ko = dir.resolve("rootkit.ko");
            // kmod's insmod rejects a file too small to be a module before any syscall: 4 KiB of junk reach the kernel
            byte[] junk = new byte[4096];
            new java.util.Random(42).nextBytes(junk);
            Files.write(ko, junk);
            AgentConfig cfg = AlertFile.agentWritingTo(alerts)
                    .override("rule_matching=all")
                    .override("container_engines.docker.enabled=false")
                    .build();
            long t0 = System.nanoTime();
            Path cg = Path.of("/sys/fs/cgroup/docker", id);
            try (Agent agent = Agent.start(cfg, new PrintStream(System.err, true))) {
                System.out.printf("%sstarted after %d ms%n", MARK, (System.nanoTime() - t0) / 1_000_000);
                System.out.println(MARK + "types " + agent.selectedTypes().stream().map(EventType::falcoName).sorted().toList());
                Files.createDirectories(cg);
                // not a container: the guest's own root cgroup
                sh("exec insmod " + ko);
                // in the container's cgroup, but without CAP_SYS_MODULE (dropped from the bounding set: the kernel says EPERM)
                sh("echo $$ > " + cg + "/cgroup.procs && exec setpriv --bounding-set=-sys_module insmod " + ko);
                // the attack: the shell moves itself into the container's cgroup, then becomes insmod there, as root
                sh("echo $$ > " + cg + "/cgroup.procs && exec insmod " + ko);
                long t1 = System.nanoTime();
                long deadline = t1 + TimeUnit.SECONDS.toNanos(60); // TCG: an emulated guest is ~20x slower
                boolean seen = false;
                while (!seen && System.nanoTime() < deadline) {
                    seen = Files.exists(alerts) && Files.readString(alerts).contains("Linux Kernel Module Injection Detected");
                    if (!seen) Thread.sleep(50);
                }
                System.out.printf("%slatency %d ms (insmod exited to the alert in the file)%n", MARK, (System.nanoTime() - t1) / 1_000_000);
                Thread.sleep(1000); // a duplicate, if any, would arrive by now
                if (Files.exists(alerts)) {
                    for (String line : Files.readAllLines(alerts)) {
                        if (!line.isBlank()) System.out.println(MARK + "alert " + line);
                    }
                }
            } finally {
                Files.deleteIfExists(cg); // rmdir: empty once insmod has exited
            }
        }
    }

    private static void sh(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        System.out.println(MARK + "ran " + command + ": exit " + p.exitValue() + ": " + out.strip());
    }
}

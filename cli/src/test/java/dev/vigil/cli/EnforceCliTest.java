package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.enforce.TestBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EnforcementPolicy through {@code vigil run --policy}, as a user runs it: a denied exec is killed and reported on the
 * outputs, a SIGKILL of the agent keeps the enforcement (pinned), a restarted agent adopts it, {@code vigil policy
 * remove} ends it; signals aimed at the agent are reported by the kernel side. Scoped to this test's folder.
 */
class EnforceCliTest {
    @TempDir
    Path dir;

    static final String RULES = "- rule: nothing\n  desc: d\n  condition: evt.type = execve and proc.name = no-such-process\n  output: o\n  priority: DEBUG\n";

    @Test
    void validateNamesThePlaceOfAnEnforcementPolicyProblem() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, PolicyText.of("n", "Prefix", "/x/").replace("action: Deny", "action: Block"));
        CliProcess cli = CliProcess.start("policy", "validate", bad.toString());
        assertThat(cli.waitFor(60)).as(cli.err()).isEqualTo(1);
        assertThat(cli.out()).contains(bad + ":12:13: action must be Deny, Sigkill, Signal or Post, not 'Block'");
    }

    @Test
    void enforcementSurvivesASigkilledAgentIsAdoptedOnRestartAndEndsWithPolicyRemove() throws Exception {
        KernelTests.assumeKernel();
        Path denied = TestBinaries.marker(dir.resolve("denied"), "marker");
        Path policy = Files.writeString(dir.resolve("p.yaml"), PolicyText.of("cli-deny", "Prefix", dir.resolve("denied") + "/"));
        Path rules = Files.writeString(dir.resolve("rules.yaml"), RULES);
        String root = "policy.pin_root=/sys/fs/bpf/vigil-test-" + UUID.randomUUID();
        int port = RunCliTest.freePort();
        List<String> run = List.of("run", "--policy", policy.toString(), "-o", root, "-o", "json_output=true",
                "-o", "webserver.listen_port=" + port, "-o", "rules_files=[" + rules + "]");
        CliProcess agent = CliProcess.start(run.toArray(String[]::new));
        try {
            RunCliTest.awaitText(agent::out, "Vigil internal: agent started", 60);
            assertThat(TestBinaries.status(List.of(denied.toString(), dir.resolve("m1").toString()))).isEqualTo(137);
            assertThat(dir.resolve("m1")).doesNotExist();
            RunCliTest.awaitText(agent::out, "\"policy_name\":\"cli-deny\"", 10);
            assertThat(agent.out()).contains("\"outcome\":\"killed\"").contains("\"path\":\"" + denied + "\"");
            CliProcess show = CliProcess.start("policy", "show", "-o", root, "-o", "webserver.listen_port=" + port);
            assertThat(show.waitFor(60)).as(show.err()).isZero();
            assertThat(show.out()).contains("EnforcementPolicy:")
                    .containsPattern("policy=cli-deny .*enforcement=Sigkill \\(fallback for Deny\\) before the new image runs: sched_");

            agent.signal("STOP");
            agent.signal("CONT");
            RunCliTest.awaitText(agent::out, "\"type\":\"tamper\"", 10);
            assertThat(agent.out()).contains("\"signal\":19");

            agent.process.destroyForcibly().waitFor();
            assertThat(TestBinaries.status(List.of(denied.toString(), dir.resolve("m2").toString())))
                    .as("still killed with the agent gone").isEqualTo(137);

            agent = CliProcess.start(run.toArray(String[]::new));
            RunCliTest.awaitText(agent::out, "Vigil internal: agent started", 60);
            assertThat(agent.err()).contains("adopted the pinned EnforcementPolicy state");
            // the SIGKILL of the first agent was recorded by the kernel side in a pinned map: reported now
            RunCliTest.awaitText(agent::out, "\"signal\":9", 10);
            assertThat(agent.out()).contains("\"type\":\"tamper\"");
            assertThat(TestBinaries.status(List.of(denied.toString(), dir.resolve("m3").toString()))).isEqualTo(137);
            RunCliTest.awaitText(agent::out, "\"policy_name\":\"cli-deny\"", 10);
            agent.signal("TERM");
            assertThat(agent.waitFor(30)).as(agent.err()).isZero();
        } finally {
            agent.process.destroyForcibly().waitFor();
            CliProcess remove = CliProcess.start("policy", "remove", "-o", root);
            assertThat(remove.waitFor(60)).as(remove.err()).isZero();
        }
        // the kernel detaches a link after its last reference goes in deferred work: await it, not assume it
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (TestBinaries.status(List.of(denied.toString(), dir.resolve("m4").toString())) != 0) {
            assertThat(System.nanoTime()).as("still killed 10 s after policy remove").isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(dir.resolve("m4")).hasContent("ran");
        assertThat(dir.resolve("m2")).doesNotExist();
        assertThat(dir.resolve("m3")).doesNotExist();
    }

    /** An exec policy on the host scoped by a path prefix. */
    static final String SELECTORS = """
                matchCapabilities:
                - {type: Effective, operator: NotIn, values: [CAP_SYS_ADMIN]}
                matchNamespaces:
                - {namespace: Pid, operator: NotIn, values: [host_ns]}
                action: Deny
            """;

    @Test
    void policyShowSaysWhichCapabilitiesAndNamespacesARuleNeeds() throws Exception {
        KernelTests.assumeKernel();
        Path bad = Files.writeString(dir.resolve("bad.yaml"), PolicyText.of("sel", "Prefix", "/x/")
                .replace("    action: Deny\n", SELECTORS.replace("host_ns", "hostns")));
        CliProcess validate = CliProcess.start("policy", "validate", bad.toString());
        assertThat(validate.waitFor(60)).as(validate.err()).isEqualTo(1);
        assertThat(validate.out()).contains(bad + ":15:50: a namespace is its inode number (as in /proc/PID/ns/pid) or host_ns, not 'hostns'");

        Path policy = Files.writeString(dir.resolve("p.yaml"), PolicyText.of("cli-selectors", "Prefix", dir.resolve("denied") + "/")
                .replace("    action: Deny\n", SELECTORS));
        Path rules = Files.writeString(dir.resolve("rules.yaml"), RULES);
        String root = "policy.pin_root=/sys/fs/bpf/vigil-enforce-" + UUID.randomUUID();
        int port = RunCliTest.freePort();
        CliProcess agent = CliProcess.start("run", "--policy", policy.toString(), "-o", root, "-o", "webserver.listen_port=" + port,
                "-o", "rules_files=[" + rules + "]");
        try {
            RunCliTest.awaitText(agent::out, "Vigil internal: agent started", 60);
            CliProcess show = CliProcess.start("policy", "show", "-o", root, "-o", "webserver.listen_port=" + port);
            assertThat(show.waitFor(60)).as(show.err()).isZero();
            assertThat(show.out()).containsPattern("policy=cli-selectors .*when=capabilities Effective NotIn \\[CAP_SYS_ADMIN\\] and "
                    + "namespace Pid NotIn \\[host_ns\\]");
            agent.signal("TERM");
            assertThat(agent.waitFor(30)).as(agent.err()).isZero();
        } finally {
            agent.process.destroyForcibly().waitFor();
            CliProcess remove = CliProcess.start("policy", "remove", "-o", root);
            assertThat(remove.waitFor(60)).as(remove.err()).isZero();
        }
    }

    static final class PolicyText {
        static String of(String name, String operator, String value) {
            return """
                    apiVersion: vigil.dev/v1alpha1
                    kind: EnforcementPolicy
                    metadata:
                      name: %s
                    spec:
                      host: true
                      rules:
                      - exec:
                          matchBinaries:
                          - operator: %s
                            values: ["%s"]
                        action: Deny
                        fallback: Sigkill
                    """.formatted(name, operator, value);
        }
    }
}

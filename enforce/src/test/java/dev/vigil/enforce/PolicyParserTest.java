package dev.vigil.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.enforce.compile.CompiledPolicies;
import dev.vigil.enforce.compile.Hook;
import dev.vigil.enforce.compile.KernelCaps;
import dev.vigil.enforce.compile.PolicyCompiler;
import dev.vigil.enforce.policy.EnforcementPolicy;
import dev.vigil.enforce.policy.EnforcementPolicy.Action;
import dev.vigil.enforce.policy.EnforcementPolicy.Exec;
import dev.vigil.policy.PolicyException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schema (positions of every problem) and the compiled model, without a kernel. */
class PolicyParserTest {
    static final String ISSUE_EXAMPLE = """
            apiVersion: vigil.dev/v1alpha1
            kind: EnforcementPolicy
            metadata:
              name: no-tmp-binaries
            spec:
              host: true
              rules:
              - exec:
                  matchBinaries:
                  - operator: Prefix
                    values: ["/tmp/"]
                action: Deny
                fallback: Sigkill
            """;

    @Test
    void theIssuesExampleParses() {
        EnforcementPolicy p = Policies.parse("p.yaml", ISSUE_EXAMPLE).getFirst();
        assertThat(p.name()).isEqualTo("no-tmp-binaries");
        assertThat(p.host()).isTrue();
        assertThat(p.rules()).hasSize(1);
        assertThat(p.rules().getFirst().action()).isEqualTo(Action.DENY);
        assertThat(p.rules().getFirst().fallback()).isEqualTo(Action.SIGKILL);
        assertThat(((Exec) p.rules().getFirst().target()).matchBinaries().getFirst().values()).containsExactly("/tmp/");
    }

    static String problem(String yaml) {
        try {
            Policies.parse("bad.yaml", yaml);
        } catch (PolicyException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void problemsNameTheirPlace() {
        assertThat(problem(ISSUE_EXAMPLE.replace("operator: Prefix", "operator: Prefixx")))
                .isEqualTo("bad.yaml:10:19: operator must be In, NotIn, Prefix, NotPrefix, Postfix or NotPostfix, not 'Prefixx'");
        assertThat(problem(ISSUE_EXAMPLE.replace("action: Deny", "action: Block"))).startsWith("bad.yaml:12:13: action must be Deny");
        assertThat(problem(ISSUE_EXAMPLE.replace("fallback: Sigkill", "fallbak: Sigkill"))).startsWith("bad.yaml:13:5: unknown field");
        assertThat(problem(ISSUE_EXAMPLE.replace("values: [\"/tmp/\"]", "values: [\"tmp/\"]"))).startsWith("bad.yaml:11:18: Prefix values are absolute paths");
        assertThat(problem(ISSUE_EXAMPLE.replace("  host: true\n", ""))).contains("host: true, or a containerSelector");
        assertThat(problem(ISSUE_EXAMPLE.replace("- exec:", "- ptrace:"))).startsWith("bad.yaml:9:7: unknown field 'spec.rules[0].ptrace.matchBinaries'");
        assertThat(problem(ISSUE_EXAMPLE.replace("- exec:", "- setuid: {}\n    exec:"))).contains("exactly one of");
        assertThat(problem(ISSUE_EXAMPLE.replace("fallback: Sigkill", "fallback: Post"))).startsWith("bad.yaml:13:15: fallback can only be Sigkill");
        assertThat(problem(ISSUE_EXAMPLE.replace("action: Deny\n    fallback: Sigkill", "action: Signal"))).contains("argSig");
    }

    @Test
    void aDenyThisKernelCannotDoIsRefusedWithTheReasonUnlessTheFallbackIsAllowed() {
        EnforcementPolicy noFallback = Policies.parse("p.yaml", ISSUE_EXAMPLE.replace("    fallback: Sigkill\n", "")).getFirst();
        assertThatThrownBy(() -> new PolicyCompiler(KernelCaps.withoutLsm(), false).compile(List.of(noFallback)))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith("p.yaml:8:5: Deny of exec needs BPF LSM")
                .hasMessageContaining("add 'fallback: Sigkill'");
        CompiledPolicies lsm = new PolicyCompiler(KernelCaps.withLsm(), false).compile(List.of(noFallback));
        assertThat(lsm.plans().getFirst().enforcement()).isEqualTo("Deny: LSM bprm_check_security");
        CompiledPolicies here = new PolicyCompiler(KernelCaps.withoutLsm(), false)
                .compile(Policies.parse("p.yaml", ISSUE_EXAMPLE));
        assertThat(here.plans().getFirst().enforcement()).isEqualTo("Sigkill (fallback for Deny) before the new image runs: sched_prepare_exec");
        CompiledPolicies audit = new PolicyCompiler(KernelCaps.withoutLsm(), true).compile(Policies.parse("p.yaml", ISSUE_EXAMPLE));
        assertThat(audit.plans().getFirst().enforcement()).startsWith("Monitor (would be Sigkill");
    }

    @Test
    void everyLpmKeyCarriesTheTermsOfItsPrefixes() {
        String yaml = """
                apiVersion: vigil.dev/v1alpha1
                kind: EnforcementPolicy
                metadata: {name: t}
                spec:
                  host: true
                  rules:
                  - exec:
                      matchBinaries: [{operator: Prefix, values: ["/usr/"]}]
                    action: Post
                  - exec:
                      matchBinaries: [{operator: In, values: ["/usr/bin/sh"]}, {operator: NotPostfix, values: ["/sh"]}]
                    action: Sigkill
                """;
        CompiledPolicies c = new PolicyCompiler(KernelCaps.withoutLsm(), false).compile(Policies.parse("t.yaml", yaml));
        assertThat(c.rules().get(Hook.EXEC)).hasSize(2);
        assertThat(c.negTerms().get(Hook.EXEC)).isEqualTo(0b100);
        assertThat(c.postfix().get(Hook.EXEC)).isTrue();
        var exact = c.pathTries().get(Hook.EXEC).stream()
                .filter(e -> new String(e.data(), StandardCharsets.UTF_8).equals("/usr/bin/sh\0")).findFirst().orElseThrow();
        assertThat(exact.bits()).isEqualTo(12 * 8);
        assertThat(exact.mask()).as("the In key holds the Prefix term of /usr/ too").isEqualTo(0b011);
        var suffix = c.postfixTries().get(Hook.EXEC).getFirst();
        assertThat(new String(suffix.data(), StandardCharsets.UTF_8)).isEqualTo("hs/");
    }

    static final String CALLS = """
            apiVersion: vigil.dev/v1alpha1
            kind: EnforcementPolicy
            metadata: {name: calls}
            spec:
              host: true
              matchBinaries:
              - {operator: Prefix, values: ["/usr/sbin/"], followChildren: true}
              - {operator: NotIn, values: ["/usr/sbin/sshd"]}
              rules:
              - {ptrace: {}, action: Deny, fallback: Sigkill}
              - {setuid: null, action: Deny, fallback: Sigkill}
              - {bpf: {}, action: Post}
              - {module_load: {}, action: Deny}
            """;

    @Test
    void callRulesGetTheBestHookOfEachKernel() {
        List<EnforcementPolicy> ps = Policies.parse("c.yaml", CALLS);
        CompiledPolicies lsm = new PolicyCompiler(KernelCaps.withLsm(), false).compile(ps);
        assertThat(lsm.plans()).extracting(CompiledPolicies.RulePlan::enforcement).containsExactly("Deny: LSM ptrace_access_check",
                "Deny: LSM task_fix_setuid", "Post: report from LSM bpf", "Deny: LSM kernel_read_file and kernel_load_data");
        CompiledPolicies here = new PolicyCompiler(KernelCaps.withoutLsm(), false).compile(ps);
        assertThat(here.plans()).extracting(CompiledPolicies.RulePlan::enforcement).containsExactly(
                "Sigkill (fallback for Deny) at the syscall (the attach completes; the tracer never returns to user space, and its exit "
                        + "detaches): sys_enter_ptrace",
                "Sigkill (fallback for Deny) at the syscall (the call completes; the process never returns to user space): "
                        + "sys_enter_setuid/setreuid/setresuid/setfsuid",
                "Post: report from sys_enter_bpf",
                "Deny: nothing to enforce, this kernel cannot load modules (CONFIG_MODULES unset)");
        assertThatThrownBy(() -> new PolicyCompiler(KernelCaps.withoutLsm().withModules(true), false).compile(ps))
                .isInstanceOf(PolicyException.class)
                .hasMessageStartingWith("c.yaml:13:5: module_load rules need BPF LSM")
                .hasMessageContaining("after the module's code ran");
    }

    @Test
    void specMatchBinariesCompileToOneBinaryRulePerPolicy() {
        CompiledPolicies c = new PolicyCompiler(KernelCaps.withoutLsm(), false)
                .compile(Policies.parse("c.yaml", ISSUE_EXAMPLE + "---\n" + CALLS));
        assertThat(c.binPolicies()).as("the second policy").isEqualTo(0b10);
        assertThat(c.followPolicies()).isEqualTo(0b10);
        assertThat(c.rules().get(Hook.BINARY)).singleElement().satisfies(r -> {
            assertThat(r.policy()).isEqualTo(1);
            assertThat(r.terms()).isEqualTo(0b11);
        });
        assertThat(c.negTerms().get(Hook.BINARY)).isEqualTo(0b10);
        assertThat(c.pathTries().get(Hook.BINARY)).extracting(e -> new String(e.data(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("/usr/sbin/", "/usr/sbin/sshd\0");
        assertThat(c.rules().get(Hook.PTRACE)).singleElement().satisfies(r -> assertThat(r.terms()).isZero());
    }

    static final String SELECTORS = ISSUE_EXAMPLE.replace("    action: Deny\n", """
                matchCapabilities:
                - type: Effective
                  operator: NotIn
                  values: [CAP_SYS_ADMIN]
                matchNamespaces:
                - namespace: Pid
                  operator: NotIn
                  values: [host_ns]
                action: Deny
            """);

    @Test
    void capabilityAndNamespaceSelectorsParseCompileAndNameTheirBadValues() {
        assertThat(problem(SELECTORS.replace("CAP_SYS_ADMIN", "CAP_SYS_ADMN")))
                .isEqualTo("bad.yaml:15:16: 'CAP_SYS_ADMN' is not a capability (CAP_CHOWN ... CAP_CHECKPOINT_RESTORE)");
        assertThat(problem(SELECTORS.replace("type: Effective", "type: Ambient")))
                .isEqualTo("bad.yaml:13:13: type must be Effective, Inheritable or Permitted, not 'Ambient'");
        assertThat(problem(SELECTORS.replace("operator: NotIn\n      values: [CAP", "operator: Prefix\n      values: [CAP")))
                .isEqualTo("bad.yaml:14:17: operator must be In or NotIn, not 'Prefix'");
        assertThat(problem(SELECTORS.replace("namespace: Pid", "namespace: Pids")))
                .startsWith("bad.yaml:17:18: namespace must be Uts, Ipc, Mnt, Pid, PidForChildren, Net, Time, TimeForChildren, Cgroup or User");
        assertThat(problem(SELECTORS.replace("[host_ns]", "[host]")))
                .isEqualTo("bad.yaml:19:16: a namespace is its inode number (as in /proc/PID/ns/pid) or host_ns, not 'host'");
        assertThat(problem(SELECTORS.replace("[host_ns]", "[1, 2, 3, 4, 5]"))).startsWith("bad.yaml:19:15: more than 4 values");
        assertThat(problem(SELECTORS.replace("[host_ns]", "[]"))).startsWith("bad.yaml:19:15: values must not be empty");

        EnforcementPolicy p = Policies.parse("p.yaml", SELECTORS).getFirst();
        EnforcementPolicy.Rule r = p.rules().getFirst();
        assertThat(r.capabilities().getFirst().mask()).isEqualTo(1L << 21);
        CompiledPolicies c = new PolicyCompiler(KernelCaps.withoutLsm(), false, k -> k == EnforcementPolicy.NsKind.PID ? 4026531836L : 0)
                .compile(List.of(p));
        CompiledPolicies.KernelSel sel = c.rules().get(Hook.EXEC).getFirst().sel();
        assertThat(sel.caps()).containsExactly(new CompiledPolicies.KernelCap(1L << 21, 0, true, false));
        assertThat(sel.namespaces().getFirst().inodes()).containsExactly(4026531836L);
        assertThat(c.plans().getFirst().when()).isEqualTo("capabilities Effective NotIn [CAP_SYS_ADMIN] and namespace Pid NotIn [host_ns]");
        // a rule without selectors has none for the kernel to read
        assertThat(new PolicyCompiler(KernelCaps.withoutLsm(), false).compile(Policies.parse("p.yaml", ISSUE_EXAMPLE))
                .rules().get(Hook.EXEC).getFirst().sel()).isNull();
        // spec-level selectors hold for every rule of the policy
        EnforcementPolicy spec = Policies.parse("p.yaml", ISSUE_EXAMPLE.replace("  rules:\n",
                "  matchNamespaces: [{namespace: Net, operator: In, values: [4026531833]}]\n  rules:\n")).getFirst();
        assertThat(spec.rules().getFirst().namespaces()).hasSize(1);
    }
}

package dev.vigil.tools.syscount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import dev.vigil.ebpf.tool.BpfTool;
import dev.vigil.ebpf.tool.ToolFilters;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A burst of a known syscall (getppid) counted in the kernel. */
class SysCountTest {
    private final int self = (int) ProcessHandle.current().pid();
    private static final int GETPPID = 110;

    @Test
    void aBurstOfGetppidIsCountedPerSyscallWithLatencyAndPerProcess() throws Exception {
        KernelTests.assumeKernel();
        assertThat(SysCount.syscallName(GETPPID)).isEqualTo("getppid");
        var perSyscall = SysCount.Options.defaults().withFilters(ToolFilters.NONE.withPid(self)).withLatency(true);
        var perProcess = SysCount.Options.defaults().withByProcess(true);
        try (BpfTool a = SysCount.start(perSyscall); BpfTool b = SysCount.start(perProcess)) {
            for (int i = 0; i < 10_000; i++) {
                KernelTests.getppid();
            }
            List<SysCount.Row> rows = SysCount.drain(a, perSyscall);
            SysCount.Row getppid = rows.stream().filter(r -> r.key() == GETPPID).findFirst().orElseThrow();
            assertThat(getppid.count()).isGreaterThanOrEqualTo(10_000);
            assertThat(getppid.totalNs()).isPositive();
            assertThat(SysCount.drain(a, perSyscall).stream().filter(r -> r.key() == GETPPID).mapToLong(SysCount.Row::count).sum())
                    .as("drained: the next interval starts from zero").isLessThan(10_000);
            SysCount.Row me = SysCount.drain(b, perProcess).stream().filter(r -> r.key() == self).findFirst().orElseThrow();
            assertThat(me.count()).isGreaterThanOrEqualTo(10_000);
            assertThat(me.comm()).isNotEmpty();
        }
    }

    @Test
    void failuresOnlyCountsFailingCalls() throws Exception {
        KernelTests.assumeKernel();
        var failed = SysCount.Options.defaults().withFilters(ToolFilters.NONE.withPid(self)).withFailed(true);
        try (BpfTool t = SysCount.start(failed)) {
            for (int i = 0; i < 1000; i++) {
                KernelTests.getppid(); // never fails
            }
            java.nio.file.Files.exists(java.nio.file.Path.of("/nonexistent-vigil-syscount")); // a failing stat
            List<SysCount.Row> rows = SysCount.drain(t, failed);
            assertThat(rows).noneMatch(r -> r.key() == GETPPID).isNotEmpty();
        }
    }
}

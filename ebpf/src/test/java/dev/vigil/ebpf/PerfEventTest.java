package dev.vigil.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.link.Link;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.map.StackTraceMap;
import dev.vigil.ebpf.perf.Cpus;
import dev.vigil.ebpf.perf.PerfEvent;
import dev.vigil.ebpf.testing.KernelTests;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Software cpu-clock sampling on every CPU, and the stacks the samples took, read back from the map. */
class PerfEventTest {
    private static final long KERNEL_HALF = 0xffff_8000_0000_0000L;

    private BpfObject obj;

    @BeforeEach
    void load() {
        KernelTests.assumeKernel();
        obj = BpfObject.openResource("/bpf/test_perf.bpf.o");
        obj.setConstant("target_tgid", ProcessHandle.current().pid());
        obj.load();
    }

    @AfterEach
    void close() {
        if (obj != null) {
            obj.close();
        }
    }

    private long seen(int slot) {
        return BpfMap.readU64(obj.map("seen").lookup(BpfMap.u32(slot)).orElseThrow(), 0);
    }

    @Test
    void cpuClockSamplesThisProcessWithItsStacks() {
        List<Link.PerfEvent> links = obj.program("sample").attachPerfEventEachCpu(PerfEvent.cpuClock(99));
        try {
            assertThat(links).extracting(Link.PerfEvent::cpu).containsExactlyElementsOf(Cpus.online());
            assertThat(links.getFirst().target()).contains("cpu-clock at 99 Hz on CPU 0");
            // Spin in and out of the kernel until enough samples landed on this process (bounded, not timed).
            long deadline = System.nanoTime() + 60_000_000_000L;
            while ((seen(0) < 20 || seen(2) == 0 || seen(3) == 0) && System.nanoTime() < deadline) {
                for (int i = 0; i < 10_000; i++) {
                    KernelTests.getppid();
                }
            }
        } finally {
            links.forEach(Link::close);
        }
        assertThat(seen(0)).isGreaterThanOrEqualTo(20);
        assertThat(seen(1)).isGreaterThanOrEqualTo(seen(0));
        StackTraceMap stacks = new StackTraceMap(obj.map("stacks"));
        assertThat(stacks.depth()).isEqualTo(127);
        long[] user = stacks.addresses((int) seen(2) - 1);
        long[] kernel = stacks.addresses((int) seen(3) - 1);
        assertThat(user).isNotEmpty();
        assertThat(java.util.Arrays.stream(user)).allMatch(a -> Long.compareUnsigned(a, KERNEL_HALF) < 0);
        assertThat(kernel).isNotEmpty();
        assertThat(java.util.Arrays.stream(kernel)).allMatch(a -> Long.compareUnsigned(a, KERNEL_HALF) >= 0);
        assertThat(stacks.addresses(-14)).isEmpty(); // -EFAULT from bpf_get_stackid: no stack
        assertThat(links).allMatch(Link::isClosed);
    }

    @Test
    void aBadSampleRateIsRefusedBeforeTheKernel() {
        assertThatThrownBy(() -> PerfEvent.cpuClock(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive");
    }

    @Test
    void cpuListsParse() {
        assertThat(Cpus.parseList("0-3,6,8-9\n")).containsExactly(0, 1, 2, 3, 6, 8, 9);
        assertThat(Cpus.parseList("0")).containsExactly(0);
        assertThatThrownBy(() -> Cpus.parseList("0-x")).hasMessageContaining("bad CPU list");
    }
}

package dev.vigil.ebpf.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.feature.Feature;
import dev.vigil.ebpf.feature.FeatureProbe;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.testing.KernelTests;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The harness on the real kernel: filters, hook choice, ring, histogram, losses, clean close. */
class BpfToolTest {
    private static final String OBJECT = "/bpf/test_tool.bpf.o";
    private final int pid = (int) ProcessHandle.current().pid();

    record Seen(int pid, int tid) {}

    @BeforeEach
    void kernel() {
        KernelTests.assumeKernel();
    }

    private static BpfTool.Builder tool() {
        return BpfTool.builder("test_tool", OBJECT).ring("events");
    }

    /** getppid() on this thread until the tool delivered one of ours, then stop and drain. */
    private static List<Seen> collect(BpfTool t, Runnable cause) throws Exception {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> t.run((data, offset, length) -> seen.add(new Seen(
                data.get(ValueLayout.JAVA_INT_UNALIGNED, offset), data.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 4))), () -> { }));
        cause.run();
        t.stop();
        reader.join(5000);
        return seen;
    }

    @Test
    void pidFilterKeepsOnlyThisProcessAndTheRingIsDrainedOnStop() throws Exception {
        try (BpfTool t = tool().filters(ToolFilters.NONE.withPid(pid))
                .attach("tp_getppid", Hook.tracepoint("syscalls", "sys_enter_getppid")).start()) {
            List<Seen> seen = collect(t, () -> {
                for (int i = 0; i < 100; i++) {
                    KernelTests.getppid();
                }
            });
            assertThat(seen).hasSizeGreaterThanOrEqualTo(100).allMatch(s -> s.pid() == pid);
            assertThat(t.lost()).isZero();
            assertThat(t.attached()).extracting(BpfTool.Attachment::program).containsExactly("tp_getppid");
        }
    }

    @Test
    void tidFilterKeepsOneThread() throws Exception {
        int[] otherTid = new int[1];
        Thread other = Thread.ofPlatform().unstarted(() -> {
            otherTid[0] = gettid();
            for (int i = 0; i < 50; i++) {
                KernelTests.getppid();
            }
        });
        int self = gettid();
        try (BpfTool t = tool().filters(ToolFilters.NONE.withTid(self))
                .attach("tp_getppid", Hook.tracepoint("syscalls", "sys_enter_getppid")).start()) {
            List<Seen> seen = collect(t, () -> {
                other.start();
                try {
                    other.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                KernelTests.getppid();
            });
            assertThat(otherTid[0]).isNotEqualTo(self);
            assertThat(seen).isNotEmpty().allMatch(s -> s.tid() == self);
        }
    }

    private static int gettid() {
        try {
            return Integer.parseInt(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self")).getFileName().toString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theBestVariantThisKernelAllowsIsChosen() throws Exception {
        boolean kprobes = FeatureProbe.probe().supports(Feature.KPROBE);
        try (BpfTool t = tool().filters(ToolFilters.NONE.withPid(pid))
                .attachOneOf(BpfTool.Variant.of("kprobe", "kprobe_getppid", Hook.kprobe("__x64_sys_getppid")),
                        BpfTool.Variant.of("tracepoint", "tp_getppid", Hook.tracepoint("syscalls", "sys_enter_getppid")))
                .start()) {
            assertThat(t.variant()).isEqualTo(kprobes ? "kprobe" : "tracepoint");
            assertThat(collect(t, KernelTests::getppid)).isNotEmpty();
        }
    }

    @Test
    void noVariantGivesOneLineNamingTheMissingHooks() {
        assertThatThrownBy(() -> tool()
                .attachOneOf(BpfTool.Variant.of("tp", "tp_getppid", Hook.tracepoint("syscalls", "sys_enter_no_such_call"))).start())
                .isInstanceOf(BpfTool.HookUnavailableException.class)
                .hasMessageStartingWith("test_tool cannot run on this kernel")
                .hasMessageContaining("tp: no tracepoint syscalls:sys_enter_no_such_call")
                .hasMessageNotContaining("\n");
        assertThat(BpfTool.tracepointExists("syscalls", "sys_enter_getppid")).isTrue();
        assertThat(BpfTool.tracepointExists("syscalls", "sys_enter_no_such_call")).isFalse();
    }

    @Test
    void anOptionalTracepointThatIsAbsentIsSkipped() throws Exception {
        try (BpfTool t = tool().attach("tp_getppid", Hook.tracepoint("syscalls", "sys_enter_getppid"))
                .attachIfExists("never_attached", new Hook.Tracepoint("syscalls", "sys_enter_no_such_call")).start()) {
            assertThat(t.attached()).extracting(BpfTool.Attachment::program).containsExactly("tp_getppid");
        }
    }

    @Test
    void aFilterTheObjectLacksIsRefusedAndABadCgroupNamed() {
        assertThatThrownBy(() -> BpfTool.builder("test_tool", "/bpf/test_maps.bpf.o").filters(ToolFilters.NONE.withPid(1)).start())
                .isInstanceOf(BpfException.class).hasMessage("test_tool has no -p filter (its object lacks targ_pid)");
        assertThatThrownBy(() -> tool().filters(ToolFilters.NONE.withCgroup(java.nio.file.Path.of("/no/such/cgroup"))).start())
                .isInstanceOf(BpfException.class).hasMessage("-c /no/such/cgroup: not a cgroup v2 directory");
    }

    @Test
    void aKernelHistogramReadsBackInItsLog2Slot() throws Exception {
        try (BpfTool t = tool().filters(ToolFilters.NONE.withPid(pid)).constant("hist_value", 1000)
                .attach("tp_getppid", Hook.tracepoint("syscalls", "sys_enter_getppid")).start()) {
            for (int i = 0; i < 7; i++) {
                KernelTests.getppid();
            }
            BpfMap map = t.map("hist");
            Log2Histogram h = Log2Histogram.readArray(map, true);
            assertThat(h.buckets()).hasSize(10);
            assertThat(h.buckets().get(9)).isEqualTo(new Log2Histogram.Bucket(512, 1023, 7));
            assertThat(Log2Histogram.readArray(map, false).isEmpty()).isTrue();
        }
    }

    @Test
    void aCgroupFilterOnAnotherCgroupExcludesThisProcess() throws Exception {
        java.nio.file.Path v2 = java.nio.file.Path.of("/sys/fs/cgroup/unified");
        if (!java.nio.file.Files.isDirectory(v2)) {
            v2 = java.nio.file.Path.of("/sys/fs/cgroup");
        }
        java.nio.file.Path empty = java.nio.file.Files.createTempDirectory(v2, "vigil-test-tool-");
        try (BpfTool t = tool().filters(ToolFilters.NONE.withCgroup(empty))
                .attach("tp_getppid", Hook.tracepoint("syscalls", "sys_enter_getppid")).start()) {
            List<Seen> seen = new ArrayList<>(collect(t, () -> {
                for (int i = 0; i < 20; i++) {
                    KernelTests.getppid();
                }
            }));
            assertThat(seen).noneMatch(s -> s.pid() == pid);
        } finally {
            java.nio.file.Files.delete(empty);
        }
    }
}

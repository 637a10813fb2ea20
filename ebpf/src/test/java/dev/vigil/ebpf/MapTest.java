package dev.vigil.ebpf;

import static dev.vigil.ebpf.map.BpfMap.readU64;
import static dev.vigil.ebpf.map.BpfMap.u32;
import static dev.vigil.ebpf.map.BpfMap.u64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.map.MapType;
import dev.vigil.ebpf.testing.KernelTests;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MapTest {
    private BpfObject obj;

    @BeforeEach
    void load() {
        KernelTests.assumeKernel();
        obj = TestObjects.openMaps();
        obj.setConstant("target_tgid", ProcessHandle.current().pid());
        obj.load();
    }

    @AfterEach
    void close() {
        if (obj != null) {
            obj.close();
        }
    }

    @Test
    void hashRoundTripAndDelete() {
        BpfMap hash = obj.map("hash");
        assertThat(hash.type()).isEqualTo(MapType.HASH);
        assertThat(hash.keySize()).isEqualTo(4);
        assertThat(hash.valueSize()).isEqualTo(8);
        assertThat(hash.lookup(u32(7))).isEmpty();
        hash.update(u32(7), u64(0x1122334455667788L));
        assertThat(hash.lookup(u32(7))).hasValueSatisfying(v -> assertThat(readU64(v, 0)).isEqualTo(0x1122334455667788L));
        assertThatThrownBy(() -> hash.update(u32(7), u64(1), BpfMap.UpdateFlag.NO_EXIST))
                .isInstanceOf(BpfException.class).hasMessageContaining("EEXIST");
        assertThat(hash.delete(u32(7))).isTrue();
        assertThat(hash.delete(u32(7))).isFalse();
        assertThat(hash.lookup(u32(7))).isEmpty();
    }

    @Test
    void iterationSeesEveryKey() {
        BpfMap hash = obj.map("hash");
        Set<Integer> expected = new HashSet<>();
        for (int k = 100; k < 400; k++) {
            hash.update(u32(k), u64(k * 3L));
            expected.add(k);
        }
        Set<Integer> seen = new HashSet<>();
        for (byte[] key : hash.keys()) {
            int k = BpfMap.readU32(key, 0);
            seen.add(k);
            assertThat(readU64(hash.lookup(key).orElseThrow(), 0)).isEqualTo(k * 3L);
        }
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void arrayHasEveryIndexAndRefusesOutOfRange() {
        BpfMap array = obj.map("array");
        assertThat(array.keys()).hasSize(16);
        array.update(u32(15), u64(99));
        assertThat(readU64(array.lookup(u32(15)).orElseThrow(), 0)).isEqualTo(99);
        assertThatThrownBy(() -> array.update(u32(16), u64(1))).isInstanceOf(BpfException.class).hasMessageContaining("E2BIG");
    }

    @Test
    void perCpuValuesWrittenByTheKernelAreReadPerCpu() {
        BpfMap percpu = obj.map("percpu");
        assertThat(percpu.type().isPerCpu()).isTrue();
        long before = percpu.sumPerCpuLong(0);
        for (int i = 0; i < 50; i++) {
            KernelTests.getppid();
        }
        // the program is not attached yet: nothing counted
        assertThat(percpu.sumPerCpuLong(0)).isEqualTo(before);
        try (var link = obj.program("burst").attachTracepoint("syscalls", "sys_enter_getppid")) {
            for (int i = 0; i < 50; i++) {
                KernelTests.getppid();
            }
        }
        long[] perCpu = percpu.perCpuLongs(0);
        assertThat(perCpu).hasSize(BpfMap.possibleCpus());
        assertThat(java.util.Arrays.stream(perCpu).sum()).isEqualTo(50);
    }

    @Test
    void perCpuWriteFromUserSpaceRoundTrips() {
        BpfMap map = obj.map("percpu_hash");
        int cpus = BpfMap.possibleCpus();
        byte[] all = new byte[map.lookupSize()];
        assertThat(all.length).isEqualTo(64 * cpus);
        for (int cpu = 0; cpu < cpus; cpu++) {
            System.arraycopy(u64(1000 + cpu), 0, all, cpu * 64, 8);
        }
        map.update(u32(3), all);
        byte[][] values = map.lookupPerCpu(u32(3)).orElseThrow();
        for (int cpu = 0; cpu < cpus; cpu++) {
            assertThat(readU64(values[cpu], 0)).isEqualTo(1000 + cpu);
        }
    }

    @Test
    void wrongSizesAreClearErrors() {
        BpfMap hash = obj.map("hash");
        assertThatThrownBy(() -> hash.lookup(new byte[3])).hasMessageContaining("key must be 4 bytes, got 3");
        assertThatThrownBy(() -> hash.update(u32(1), new byte[4])).hasMessageContaining("value must be 8 bytes");
    }
}

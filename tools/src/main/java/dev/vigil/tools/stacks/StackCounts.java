package dev.vigil.tools.stacks;

import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.map.StackTraceMap;
import dev.vigil.ebpf.symbol.Symbolizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads what a stack-counting tool (profile, offcputime) gathered in its maps ({@code counts}:
 * vigil_stack_key to u64, {@code stackmap}, {@code missed}; bpf/include/vigil/stacks.bpf.h) and
 * symbolizes every frame once.
 */
public final class StackCounts {
    private StackCounts() {}

    /** Every counted key with its stacks, smallest value first (BCC's order: the hottest stack ends the output). */
    public static List<StackSample> read(BpfMap counts, BpfMap stackMap, Symbolizer symbolizer) {
        StackTraceMap stacks = new StackTraceMap(stackMap);
        List<StackSample> out = new ArrayList<>();
        for (byte[] k : counts.keys()) {
            byte[] v = counts.lookup(k).orElse(null);
            if (v == null) {
                continue;
            }
            StackKey key = StackKey.decode(k);
            // Past the first (the sampled instruction), frames are return addresses: the call is the instruction
            // before, and a call to a function that never returns may end its caller, so look up address - 1.
            long[] userAddresses = stacks.addresses(key.userStackId());
            List<Symbolizer.Frame> user = new ArrayList<>(userAddresses.length);
            for (int i = 0; i < userAddresses.length; i++) {
                user.add(symbolizer.user(key.tgid(), i == 0 ? userAddresses[i] : userAddresses[i] - 1));
            }
            long[] kernelAddresses = stacks.addresses(key.kernelStackId());
            List<Symbolizer.Frame> kernel = new ArrayList<>(kernelAddresses.length);
            for (int i = 0; i < kernelAddresses.length; i++) {
                kernel.add(symbolizer.kernel(i == 0 ? kernelAddresses[i] : kernelAddresses[i] - 1));
            }
            out.add(new StackSample(key, BpfMap.readU64(v, 0), user, kernel));
        }
        out.sort(Comparator.comparingLong(StackSample::value));
        return out;
    }

    /** Additions the kernel could not count because the counts map was full. */
    public static long missed(BpfMap missed) {
        return missed.sumPerCpuLong(0);
    }
}

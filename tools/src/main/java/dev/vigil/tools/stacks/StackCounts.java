package dev.vigil.tools.stacks;

import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.map.StackTraceMap;
import dev.vigil.ebpf.symbol.Symbolizer;
import dev.vigil.ebpf.tool.BpfTool;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what a stack-counting tool (profile, offcputime) gathered in its maps ({@code counts}:
 * vigil_stack_key to u64, {@code stackmap}, {@code missed}; bpf/include/vigil/stacks.bpf.h) and
 * symbolizes every frame once.
 */
public final class StackCounts {
    private final BpfMap counts;
    private final BpfMap stackMap;
    private final BpfMap missed;

    public StackCounts(BpfTool tool) {
        this.counts = tool.map("counts");
        this.stackMap = tool.map("stackmap");
        this.missed = tool.map("missed");
    }

    /** The sum of all values counted so far (one pass over the counts map: cheap enough to poll). */
    public long total() {
        long n = 0;
        for (byte[] k : counts.keys()) {
            n += counts.lookup(k).map(v -> BpfMap.readU64(v, 0)).orElse(0L);
        }
        return n;
    }

    /** Every counted key with its stacks, smallest value first (BCC's order: the hottest stack ends the output). */
    public List<StackSample> read(Symbolizer symbolizer) {
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
        List<StackSample> merged = merge(out);
        merged.sort(Comparator.comparingLong(StackSample::value));
        return merged;
    }

    /**
     * Samples whose stacks name the same functions for the same process add up: the kernel keys stacks by
     * exact addresses, so a loop sampled at ten instructions would otherwise print ten times.
     */
    static List<StackSample> merge(List<StackSample> samples) {
        Map<List<Object>, StackSample> byFrames = new LinkedHashMap<>();
        for (StackSample s : samples) {
            List<Object> identity = List.of(s.key().tgid(), s.key().comm(), StackKey.missed(s.key().userStackId()),
                    StackKey.missed(s.key().kernelStackId()), names(s.user()), names(s.kernel()));
            byFrames.merge(identity, s, (a, b) -> new StackSample(a.key(), a.value() + b.value(), a.user(), a.kernel()));
        }
        return new ArrayList<>(byFrames.values());
    }

    private static List<String> names(List<Symbolizer.Frame> frames) {
        List<String> names = new ArrayList<>(frames.size());
        for (Symbolizer.Frame f : frames) {
            names.add(f.nameOrUnknown()); // what every output shows
        }
        return names;
    }

    /** Additions the kernel could not count because the counts map was full. */
    public long missed() {
        return missed.sumPerCpuLong(0);
    }
}

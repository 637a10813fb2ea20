package dev.vigil.ebpf.tool;

import dev.vigil.ebpf.map.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A log2 histogram built in the kernel ({@code struct vigil_hist}, bpf/include/vigil/tool.h): slot i
 * counts values v with floor(log2(v)) == i. {@link #format} prints it exactly as BCC's and
 * libbpf-tools' {@code print_log2_hist}: the same header, ranges, widths and 40 stars (20 past slot 32).
 */
public record Log2Histogram(long[] slots) {
    /** VIGIL_HIST_SLOTS. */
    public static final int SLOTS = 27;
    private static final int STARS_MAX = 40;

    /** One printed row: values from low to high (inclusive). */
    public record Bucket(long low, long high, long count) {}

    /** A keyed histogram read from a map. */
    public record Keyed(byte[] key, Log2Histogram histogram) {}

    public Log2Histogram {
        slots = slots.clone();
    }

    public static Log2Histogram of(long... counts) {
        return new Log2Histogram(counts);
    }

    /** Decodes a {@code struct vigil_hist} (u32 slots, native order) at an offset of a map value. */
    public static Log2Histogram decode(byte[] value, int offset) {
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        int n = Math.min(SLOTS, (value.length - offset) / 4);
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = Integer.toUnsignedLong(b.getInt(offset + 4 * i));
        }
        return new Log2Histogram(s);
    }

    /**
     * Every histogram of a hash map whose values are {@code struct vigil_hist}, deleting what was read
     * (libbpf-tools' per-interval reset). Counts added between the read and the delete of a key go with it.
     */
    public static List<Keyed> drain(BpfMap map) {
        List<Keyed> out = new ArrayList<>();
        for (byte[] key : map.keys()) {
            map.lookup(key).ifPresent(v -> out.add(new Keyed(key, decode(v, 0))));
            map.delete(key);
        }
        return out;
    }

    /** The histogram at key 0 of an array map, zeroed after reading when {@code reset}. */
    public static Log2Histogram readArray(BpfMap map, boolean reset) {
        byte[] key = BpfMap.u32(0);
        Log2Histogram h = map.lookup(key).map(v -> decode(v, 0)).orElse(new Log2Histogram(new long[SLOTS]));
        if (reset) {
            map.update(key, new byte[map.valueSize()]);
        }
        return h;
    }

    public long total() {
        return Arrays.stream(slots).sum();
    }

    public boolean isEmpty() {
        return lastNonZero() < 0;
    }

    private int lastNonZero() {
        int idx = -1;
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] > 0) {
                idx = i;
            }
        }
        return idx;
    }

    /** The rows print_log2_hist prints: slot 0 up to the last non-empty one. */
    public List<Bucket> buckets() {
        List<Bucket> out = new ArrayList<>();
        int idxMax = lastNonZero();
        for (int i = 0; i <= idxMax; i++) {
            out.add(new Bucket(low(i), high(i), slots[i]));
        }
        return out;
    }

    private static long low(int i) {
        long low = (1L << (i + 1)) >>> 1;
        return low == high(i) ? low - 1 : low;
    }

    private static long high(int i) {
        return (1L << (i + 1)) - 1;
    }

    /** print_log2_hist(vals, n, valType): nothing at all when every slot is empty. */
    public String format(String valType) {
        int idxMax = lastNonZero();
        if (idxMax < 0) {
            return "";
        }
        long valMax = 0;
        for (long v : slots) {
            valMax = Math.max(valMax, v);
        }
        boolean narrow = idxMax <= 32;
        int stars = narrow ? STARS_MAX : STARS_MAX / 2;
        int width = narrow ? 10 : 20;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%" + (narrow ? 5 : 15) + "s%-" + (narrow ? 19 : 29) + "s : count    distribution%n", "", valType));
        for (int i = 0; i <= idxMax; i++) {
            long val = slots[i];
            sb.append(String.format("%" + width + "d -> %-" + width + "d : %-8d |", low(i), high(i), val));
            int numStars = (int) (Math.min(val, valMax) * stars / valMax);
            sb.append("*".repeat(numStars)).append(" ".repeat(stars - numStars));
            if (val > valMax) {
                sb.append('+');
            }
            sb.append("|\n");
        }
        return sb.toString();
    }
}

package dev.vigil.sensor;

import dev.vigil.ebpf.BpfObject;
import dev.vigil.ebpf.btf.Btf;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.events.EventType;
import dev.vigil.events.prefilter.Clause;
import dev.vigil.events.prefilter.Prefilter;
import dev.vigil.events.prefilter.TypeFilter;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link Prefilter} into the sensor's maps (bpf/include/vigil/prefilter.h): a config per filtered record
 * kind, and the name tries. Swapping is conservative at every instant: the old kinds are switched off (pass all)
 * first, the tries rewritten, then the new kinds switched on. Nothing is reattached.
 */
final class SensorPrefilter {
    static final StructView KIND = StructView.builder("sensor_pf_kind", 16)
            .field("on", 0, 1).field("flags_arg", 1, 1).field("flags_ptr", 2, 1).field("const_access", 3, 1)
            .field("clauses", 4, 1).field("success", 5, 1).field("failure", 6, 1).field("path_any", 7, 1)
            .field("access", 8, 4).field("dotdot", 12, 2).field("names", 14, 1).field("suffixes", 15, 1).build();
    static final StructView KEY = StructView.builder("sensor_pf_key", 260).field("prefixlen", 0, 4).field("data", 4, 256).build();
    private static final int NO_ARG = 0xff;

    private final BpfObject object;
    private final Set<Integer> on = new HashSet<>();
    private Prefilter current = Prefilter.NONE;

    SensorPrefilter(BpfObject object) { this.object = object; }

    static void verify(Btf btf) {
        KIND.verify(btf);
        KEY.verify(btf);
    }

    Prefilter current() { return current; }

    synchronized void install(Prefilter p) {
        BpfMap kinds = object.map("sensor_pf_kinds"), names = object.map("sensor_pf_names"), suffixes = object.map("sensor_pf_suffixes");
        for (int k : on) kinds.update(BpfMap.u32(k), new byte[(int) KIND.size()]);
        on.clear();
        for (byte[] key : names.keys()) names.delete(key);
        for (byte[] key : suffixes.keys()) suffixes.delete(key);
        Map<Integer, byte[]> configs = new LinkedHashMap<>();
        for (Map.Entry<EventType, TypeFilter> e : p.byType().entrySet()) {
            SyscallTable.Def d = SyscallTable.of(e.getKey());
            TypeFilter f = e.getValue();
            if (d == null || f.passAll()) continue;
            int kind = d.kind();
            writeTrie(names, kind, f, false);
            writeTrie(suffixes, kind, f, true);
            configs.put(kind, config(d, f));
        }
        for (Map.Entry<Integer, byte[]> c : configs.entrySet()) {
            kinds.update(BpfMap.u32(c.getKey()), c.getValue());
            on.add(c.getKey());
        }
        current = p;
    }

    /** Records the prefilter kept out of the ring, all kinds and CPUs. */
    long dropped() {
        long n = 0;
        BpfMap m = object.map("sensor_pf_dropped");
        for (int k : on) for (long v : m.perCpuLongs(k)) n += v;
        return n;
    }

    private static byte[] config(SyscallTable.Def d, TypeFilter f) {
        ByteBuffer b = ByteBuffer.allocate((int) KIND.size()).order(ByteOrder.nativeOrder());
        int flagsArg = NO_ARG, ptr = 0;
        int slot = d.type().slotOf("flags");
        String src = slot < 0 ? null : d.source(slot); // creat has none
        if (src != null && src.length() == 2 && src.charAt(0) == 'a') flagsArg = src.charAt(1) - '0';
        else if ("how.flags".equals(src)) {
            flagsArg = d.sockaddr(); // openat2: the struct open_how the record reads as its sockaddr blob
            ptr = 1;
        }
        b.put(0, (byte) 1).put(1, (byte) flagsArg).put(2, (byte) ptr).put(3, (byte) (flagsArg == NO_ARG ? constAccess(d) : 0));
        int clauses = 0, success = 0, failure = 0, pathAny = 0, dd0 = 0, dd1 = 0, names = 0, suffixes = 0;
        int[] access = new int[4];
        List<Clause> cs = f.clauses();
        for (int i = 0; i < cs.size(); i++) {
            Clause c = cs.get(i);
            int bit = 1 << i;
            clauses |= bit;
            if ((c.results() & Clause.SUCCESS) != 0) success |= bit;
            if ((c.results() & Clause.FAILURE) != 0) failure |= bit;
            if (c.path().any()) pathAny |= bit;
            if (!c.path().any() && (!c.path().exact().isEmpty() || !c.path().prefixes().isEmpty())) names |= bit;
            if (!c.path().any() && !c.path().suffixes().isEmpty()) suffixes |= bit;
            for (int a = 0; a < 4; a++) if ((c.access() & (1 << a)) != 0) access[a] |= bit;
            if ((c.dotdot() & Clause.NO_DOTDOT) != 0) dd0 |= bit;
            if ((c.dotdot() & Clause.DOTDOT) != 0) dd1 |= bit;
        }
        b.put(4, (byte) clauses).put(5, (byte) success).put(6, (byte) failure).put(7, (byte) pathAny);
        for (int a = 0; a < 4; a++) b.put(8 + a, (byte) access[a]);
        b.put(12, (byte) dd0).put(13, (byte) dd1).put(14, (byte) names).put(15, (byte) suffixes);
        return b.array();
    }

    /** creat has no flags argument: O_WRONLY|O_CREAT|O_TRUNC. */
    private static int constAccess(SyscallTable.Def d) { return d.type() == EventType.CREAT ? 1 : 0; }

    /**
     * One trie entry per name string of the kind's clauses, its value the clauses whose string it is or extends
     * (a longest-prefix lookup returns one entry: it must carry the bits of the shorter ones it contains).
     */
    private static void writeTrie(BpfMap trie, int kind, TypeFilter f, boolean reversed) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        Map<String, Integer> masks = new LinkedHashMap<>();
        List<Clause> cs = f.clauses();
        for (int i = 0; i < cs.size(); i++) {
            Clause c = cs.get(i);
            if (c.path().any()) continue;
            List<byte[]> entries = new ArrayList<>();
            if (reversed) {
                for (String s : c.path().suffixes()) entries.add(reverse(s.getBytes(StandardCharsets.UTF_8)));
            } else {
                for (String s : c.path().prefixes()) entries.add(s.getBytes(StandardCharsets.UTF_8));
                for (String s : c.path().exact()) entries.add(Arrays.copyOf(s.getBytes(StandardCharsets.UTF_8), s.getBytes(StandardCharsets.UTF_8).length + 1));
            }
            for (byte[] e : entries) {
                String id = new String(e, StandardCharsets.ISO_8859_1);
                keys.put(id, e);
                masks.merge(id, 1 << i, (a, b) -> a | b);
            }
        }
        for (Map.Entry<String, byte[]> e : keys.entrySet()) {
            int mask = 0;
            for (Map.Entry<String, Integer> o : masks.entrySet()) if (e.getKey().startsWith(o.getKey())) mask |= o.getValue();
            byte[] data = e.getValue();
            ByteBuffer k = ByteBuffer.allocate((int) KEY.size()).order(ByteOrder.nativeOrder());
            k.putInt(0, 8 * (1 + data.length));
            k.put(4, (byte) kind);
            k.put(5, data);
            trie.update(k.array(), BpfMap.u32(mask));
        }
    }

    private static byte[] reverse(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) r[i] = b[b.length - 1 - i];
        return r;
    }
}

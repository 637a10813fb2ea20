package dev.vigil.policy.cilium;

import dev.vigil.ebpf.btf.Btf;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.map.MapAccess;
import dev.vigil.ebpf.pin.PinDirectory;
import dev.vigil.ebpf.pin.PinnedMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Java's view of netpol.h's keys and values (checked against the object's BTF at load), and the pinned maps they go
 * into. Writes make a policy change atomic per container: a new endpoint id gets its entries first, then the
 * container switches to it (one map update), then the old id's entries go.
 */
final class NetpolMaps implements AutoCloseable {
    static final int LAYOUT = 1;
    static final List<String> NAMES = List.of("containers", "cgroups", "cidrs", "ports", "ranges", "np_config", "udp_flows", "flows", "vigil_drops");

    static final StructView ENDPOINT = StructView.builder("netpol_endpoint", 40)
            .field("id", 0, 4).field("flags", 4, 4).field("deny_mask", 8, 16).field("any_port", 24, 16).build();
    static final StructView CIDR_KEY = StructView.builder("netpol_cidr_key", 28)
            .field("prefixlen", 0, 4).field("ep", 4, 4).field("dir", 8, 1).field("family", 9, 1).field("addr", 12, 16).build();
    static final StructView PORT_KEY = StructView.builder("netpol_port_key", 8)
            .field("ep", 0, 4).field("dir", 4, 1).field("proto", 5, 1).field("port", 6, 2).build();
    static final StructView RANGES = StructView.builder("netpol_ranges", 264).field("count", 0, 4).field("r", 8, 256).build();
    static final StructView CONFIG = StructView.builder("netpol_config", 16)
            .field("layout", 0, 4).field("unknown_deny", 4, 4).field("root_cgroup", 8, 8).build();
    static final StructView FLOW = StructView.builder("netpol_flow", 104)
            .field("ts_ns", 0, 8).field("cgroup_id", 8, 8).field("container", 16, 8).field("rules", 24, 8)
            .field("ep", 32, 4).field("pid", 36, 4).field("comm", 40, 16).field("verdict", 56, 1).field("dir", 57, 1)
            .field("family", 58, 1).field("proto", 59, 1).field("reason", 60, 1).field("tcp_flags", 61, 1)
            .field("sport", 62, 2).field("dport", 64, 2).field("saddr", 72, 16).field("daddr", 88, 16).build();

    static void verify(Btf btf) {
        for (StructView v : List.of(ENDPOINT, CIDR_KEY, PORT_KEY, RANGES, CONFIG, FLOW)) v.verify(btf);
    }

    final Map<String, PinnedMap> maps = new LinkedHashMap<>();

    static NetpolMaps open(PinDirectory pins) {
        NetpolMaps m = new NetpolMaps();
        try {
            for (String n : NAMES) m.maps.put(n, PinnedMap.open(pins.resolve("maps/" + n)));
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    MapAccess map(String name) {
        return maps.get(name);
    }

    static ByteBuffer buf(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    static byte[] u64(long v) {
        return buf(8).putLong(v).array();
    }

    int layout() {
        return map("np_config").lookup(new byte[4]).map(b -> buf(16).put(b).getInt(0)).orElse(0);
    }

    void config(boolean unknownDeny, long rootCgroup) {
        map("np_config").update(new byte[4], buf(16).putInt(LAYOUT).putInt(unknownDeny ? 1 : 0).putLong(rootCgroup).array());
    }

    /** The highest endpoint id in use (an adopter continues from there). */
    int maxEndpointId() {
        int max = 0;
        MapAccess c = map("containers");
        for (byte[] k : c.keys()) {
            byte[] v = c.lookup(k).orElse(null);
            if (v != null) max = Math.max(max, buf(40).put(v).getInt(0));
        }
        return max;
    }

    /** Flow records the kernel could not put in the ring (it was full: no reader, or a slow one). */
    long flowDrops() {
        return map("vigil_drops").sumPerCpuLong(0);
    }

    void setCgroup(long cgroupId, long key) {
        map("cgroups").update(u64(cgroupId), u64(key));
    }

    void removeContainer(long key) {
        map("containers").delete(u64(key));
    }

    /** Writes a container's compiled state under a new endpoint id, then switches the container to it. */
    void write(NetpolCompiler.Compiled c, int epId) {
        for (int dir = 0; dir < 2; dir++) {
            NetpolCompiler.Direction d = dir == NetpolCompiler.EGRESS ? c.egress() : c.ingress();
            for (var e : d.cidrs().entrySet()) {
                map("cidrs").update(cidrKey(epId, dir, e.getKey()), u64(e.getValue()));
            }
            for (var e : d.ports().entrySet()) {
                ByteBuffer k = buf(8).putInt(epId).put((byte) dir).put((byte) (e.getKey() >> 16)).putShort((short) (e.getKey() & 0xffff));
                map("ports").update(k.array(), u64(e.getValue()));
            }
            if (!d.ranges().isEmpty()) {
                ByteBuffer v = buf(264).putInt(d.ranges().size()).putInt(0);
                for (NetpolCompiler.Range r : d.ranges()) {
                    v.putShort((short) r.lo()).putShort((short) r.hi()).put((byte) r.proto()).put(new byte[3]).putLong(r.rules());
                }
                map("ranges").update(u64(((long) epId << 1) | dir), v.array());
            }
        }
        ByteBuffer ep = buf(40).putInt(epId).putInt(c.flags())
                .putLong(c.egress().denyMask()).putLong(c.ingress().denyMask())
                .putLong(c.egress().anyPort()).putLong(c.ingress().anyPort());
        map("containers").update(u64(c.endpoint().key()), ep.array());
    }

    static byte[] cidrKey(int ep, int dir, Cidr c) {
        return buf(28).putInt(64 + c.prefix()).putInt(ep).put((byte) dir).put((byte) c.family()).putShort((short) 0)
                .put(c.addr()).array();
    }

    /** Deletes every entry of an endpoint id no container uses any more. */
    int collectGarbage() {
        Set<Integer> live = new HashSet<>();
        MapAccess c = map("containers");
        for (byte[] k : c.keys()) c.lookup(k).ifPresent(v -> live.add(buf(40).put(v).getInt(0)));
        int n = 0;
        for (String name : List.of("cidrs", "ports")) {
            MapAccess m = map(name);
            int off = name.equals("cidrs") ? 4 : 0;
            List<byte[]> dead = new ArrayList<>();
            for (byte[] k : m.keys()) {
                if (!live.contains(buf(k.length).put(k).getInt(off))) dead.add(k);
            }
            for (byte[] k : dead) if (m.delete(k)) n++;
        }
        MapAccess r = map("ranges");
        List<byte[]> dead = new ArrayList<>();
        for (byte[] k : r.keys()) {
            if (!live.contains((int) (buf(8).put(k).getLong(0) >>> 1))) dead.add(k);
        }
        for (byte[] k : dead) if (r.delete(k)) n++;
        return n;
    }

    @Override
    public void close() {
        maps.values().forEach(PinnedMap::close);
    }
}

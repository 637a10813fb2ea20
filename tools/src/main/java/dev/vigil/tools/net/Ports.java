package dev.vigil.tools.net;

import dev.vigil.ebpf.BpfObject;
import dev.vigil.ebpf.map.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** A comma-separated port list (-P 80,443) and the kernel's ports map (bpf/include/vigil/tcp.bpf.h). */
public final class Ports {
    public static final int REMOTE = 1;
    public static final int LOCAL = 2;
    private static final int MAX = 64; // the map's size

    private Ports() {}

    public static List<Integer> parse(String flag, String list) {
        List<Integer> out = new ArrayList<>();
        for (String p : list.split(",")) {
            try {
                int port = Integer.parseInt(p.strip());
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
                out.add(port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " " + list + ": '" + p + "' is not a port (1-65535)");
            }
        }
        if (out.size() > MAX) {
            throw new IllegalArgumentException(flag + ": at most " + MAX + " ports");
        }
        return out;
    }

    /** Puts the ports in the object's ports map with the given kind bit (REMOTE or LOCAL), or-ing kinds. */
    public static void fill(BpfObject obj, List<Integer> ports, int kind) {
        BpfMap map = obj.map("ports");
        for (int port : ports) {
            byte[] key = ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) port).array();
            int old = map.lookup(key).map(v -> (int) v[0]).orElse(0);
            map.update(key, new byte[] {(byte) (old | kind)});
        }
    }
}

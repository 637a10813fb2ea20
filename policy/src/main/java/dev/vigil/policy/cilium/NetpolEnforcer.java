package dev.vigil.policy.cilium;

import dev.vigil.containers.ContainerInfo;
import dev.vigil.containers.DockerWatch;
import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.BpfObject;
import dev.vigil.ebpf.BpfProgram;
import dev.vigil.ebpf.link.Link;
import dev.vigil.ebpf.pin.PinDirectory;
import dev.vigil.ebpf.pin.PinnedLink;
import dev.vigil.ebpf.ringbuf.RingBuffer;
import dev.vigil.policy.Enforcer;
import dev.vigil.policy.EnforcerContext;
import dev.vigil.policy.PolicyOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * CiliumNetworkPolicy (and the clusterwide kind, compiled together with it) in the kernel. netpol.bpf.c's six programs are attached once at the cgroup v2 root that
 * holds the containers ({@code cgroup_root}, default the unified mount) and pinned with their maps under the kind's
 * pin folder; a restarted agent opens the pins instead (the programs never stopped). Containers come from Docker
 * (running ones, then create/start/destroy); each policy or container change recompiles and rewrites the maps, one
 * container at a time and atomically for each (new endpoint id, then the switch). Flow records are read from the
 * pinned ring on a thread of their own.
 */
final class NetpolEnforcer implements Enforcer<CiliumPolicy> {
    static final String OBJECT = "/bpf/netpol.bpf.o";
    static final List<String[]> PROGRAMS = List.of(new String[] {"netpol_connect4", "connect4"},
            new String[] {"netpol_connect6", "connect6"}, new String[] {"netpol_sendmsg4", "sendmsg4"},
            new String[] {"netpol_sendmsg6", "sendmsg6"}, new String[] {"netpol_sock_create", "sock_create"},
            new String[] {"netpol_ingress", "ingress"}, new String[] {"netpol_post_bind4", "post_bind4"},
            new String[] {"netpol_post_bind6", "post_bind6"});

    private final EnforcerContext ctx;
    private final NetpolMaps maps;
    private final Path cgroupRoot;
    private final NetpolCompiler compiler;
    private final Map<Long, Known> containers = new ConcurrentHashMap<>();
    private final FlowReader flows;
    private DockerWatch watch;
    private List<CiliumPolicy> policies = List.of();
    private List<NetpolCompiler.Compiled> compiled = List.of();
    private int nextEp;
    private volatile boolean closed;

    /** A container the enforcer knows: metadata, cgroup (once started), addresses. */
    record Known(ContainerInfo info, long key, long cgroupId, List<Cidr> addresses) {}

    private NetpolEnforcer(EnforcerContext ctx, NetpolMaps maps, Path cgroupRoot) {
        this.ctx = ctx;
        this.maps = maps;
        this.cgroupRoot = cgroupRoot;
        this.compiler = new NetpolCompiler(ctx.options(), Addresses.host());
        this.nextEp = maps.maxEndpointId() + 1;
        this.flows = new FlowReader(this, RingBuffer.open(maps.map("flows")), ctx.events());
    }

    static Path cgroupRoot(PolicyOptions o) {
        String s = o.setting("cgroup_root", "");
        if (!s.isBlank()) return Path.of(s);
        Path unified = Path.of("/sys/fs/cgroup/unified");
        return Files.isDirectory(unified) ? unified : Path.of("/sys/fs/cgroup");
    }

    static NetpolEnforcer start(EnforcerContext ctx) {
        Path root = cgroupRoot(ctx.options());
        PinDirectory pins = ctx.pins();
        if (!ctx.adopting()) {
            load(pins, root);
        }
        NetpolMaps maps;
        try {
            maps = NetpolMaps.open(pins);
        } catch (BpfException e) {
            throw new BpfException("the pinned network policy state under " + pins.root() + " is incomplete (" + e.getMessage()
                    + "): run vigil policy remove");
        }
        if (maps.layout() != NetpolMaps.LAYOUT) {
            maps.close();
            throw new BpfException("the pinned network policy state under " + pins.root() + " has layout " + maps.layout()
                    + ", this Vigil writes " + NetpolMaps.LAYOUT + ": run vigil policy remove, then start again");
        }
        for (String[] p : PROGRAMS) {
            if (!Files.exists(pins.resolve("links/" + p[1]))) {
                maps.close();
                throw new BpfException("the pinned network policy state under " + pins.root() + " lacks the link " + p[1]
                        + ": run vigil policy remove");
            }
        }
        NetpolEnforcer e = new NetpolEnforcer(ctx, maps, root);
        try {
            maps.config(ctx.options().enforcement() == PolicyOptions.Enforcement.ALWAYS, inode(root));
            e.flows.start();
            String socket = ctx.options().setting("docker.socket", "");
            if (!socket.isBlank()) e.watch = DockerWatch.start(Path.of(socket), e::onContainer);
            return e;
        } catch (RuntimeException ex) {
            e.close();
            throw ex;
        }
    }

    /** Loads netpol.bpf.o, attaches it at the cgroup root, pins maps and links; the object is then closed. */
    private static void load(PinDirectory pins, Path root) {
        if (!Files.isDirectory(root)) {
            throw new BpfException("cgroup root " + root + " does not exist (set policy.cgroup_root)");
        }
        try (BpfObject obj = BpfObject.openResource(OBJECT)) {
            obj.load();
            NetpolMaps.verify(obj.btf());
            for (String n : NetpolMaps.NAMES) obj.map(n).pin(pins.resolve("maps/" + n));
            obj.map("np_config").update(new byte[4], NetpolMaps.buf(16).putInt(NetpolMaps.LAYOUT).putInt(0).putLong(inode(root)).array());
            for (String[] p : PROGRAMS) {
                BpfProgram prog = obj.program(p[0]);
                Link l = prog.attachCgroup(root);
                l.pin(pins.resolve("links/" + p[1]));
            }
        } catch (RuntimeException e) {
            pins.removeAll(); // nothing half-made stays pinned
            throw e;
        }
    }

    static long inode(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        } catch (IOException e) {
            throw new BpfException("cannot stat " + p + ": " + e.getMessage());
        }
    }

    /** The first 16 hex digits of a container id, as the kernel computes from the cgroup name. */
    static long keyOf(String fullId) {
        long k = Long.parseUnsignedLong(fullId.substring(0, 16), 16);
        return k == 0 ? 1 : k;
    }

    // --- containers ---

    private void onContainer(String action, ContainerInfo info) {
        String id = info.fullId().toString();
        if (id.length() < 16) return;
        long key = keyOf(id);
        synchronized (this) {
            if (closed) return;
            if (action.equals("destroy")) {
                if (containers.remove(key) != null) {
                    maps.removeContainer(key);
                    maps.collectGarbage();
                }
                return;
            }
            Known k = locate(info, key);
            containers.put(key, k);
            if (k.cgroupId() != 0) maps.setCgroup(k.cgroupId(), key);
            rewrite();
        }
    }

    /** The container's cgroup under the root (once it runs) and its namespace's addresses. */
    private Known locate(ContainerInfo info, long key) {
        String id = info.fullId().toString();
        Path dir = null;
        try (Stream<Path> s = Files.walk(cgroupRoot, 4)) {
            dir = s.filter(p -> p.getFileName() != null && p.getFileName().toString().contains(id) && Files.isDirectory(p))
                    .findFirst().orElse(null);
        } catch (IOException | RuntimeException e) {
            // not there (yet)
        }
        if (dir == null) return new Known(info, key, 0, List.of());
        List<Cidr> addrs = List.of();
        try {
            List<String> procs = Files.readAllLines(dir.resolve("cgroup.procs"));
            if (!procs.isEmpty()) addrs = Addresses.of(Path.of("/proc", procs.getFirst().strip(), "net"));
        } catch (IOException e) {
            // exited
        }
        return new Known(info, key, inode(dir), addrs);
    }

    /** Reads the containers' addresses again (after a veth moved in, say) and rewrites when any changed. */
    synchronized void refreshAddresses() {
        boolean changed = false;
        for (Known k : List.copyOf(containers.values())) {
            Known now = locate(k.info(), k.key());
            if (!now.addresses().equals(k.addresses()) || now.cgroupId() != k.cgroupId()) {
                containers.put(k.key(), now);
                if (now.cgroupId() != 0) maps.setCgroup(now.cgroupId(), now.key());
                changed = true;
            }
        }
        if (changed) rewrite();
    }

    @Override
    public synchronized void apply(List<CiliumPolicy> next) {
        List<CiliumPolicy> before = policies;
        policies = List.copyOf(next);
        try {
            rewrite();
        } catch (RuntimeException e) {
            policies = before;
            rewrite();
            throw e;
        }
    }

    /** Compiles the policies for the known containers and writes each one atomically; then frees old entries. */
    private void rewrite() {
        List<NetpolCompiler.Endpoint> eps = new ArrayList<>();
        for (Known k : containers.values()) {
            eps.add(endpoint(k));
        }
        List<NetpolCompiler.Compiled> out = compiler.compile(policies, eps);
        Map<Integer, NetpolCompiler.Compiled> byEp = new LinkedHashMap<>();
        for (NetpolCompiler.Compiled c : out) {
            int ep = nextEp++;
            maps.write(c, ep);
            byEp.put(ep, c);
        }
        maps.collectGarbage();
        compiled = out;
        flows.endpoints(byEp);
    }

    static NetpolCompiler.Endpoint endpoint(Known k) {
        ContainerInfo i = k.info();
        String name = i.name() == null ? "" : i.name().toString();
        return new NetpolCompiler.Endpoint(k.key(), i.fullId().toString(), name.startsWith("/") ? name.substring(1) : name,
                i.image() == null ? "" : i.image().toString(), i.labels(), k.addresses());
    }

    Known container(long key) {
        return containers.get(key);
    }

    /** The known container with this address, for the peer side of a flow. */
    Known byAddress(Cidr host) {
        for (Known k : containers.values()) {
            if (k.addresses().contains(host)) return k;
        }
        return null;
    }

    @Override
    public synchronized List<Map<String, Object>> show() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (NetpolCompiler.Compiled c : compiled) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("container", c.endpoint().name());
            m.put("id", c.endpoint().id().substring(0, 12));
            m.put("image", c.endpoint().image());
            m.put("policies", c.policies());
            if (c.kinds().contains(CiliumPolicy.CLUSTERWIDE_KIND)) m.put("policy_kinds", c.kinds());
            m.put("ingress", c.ingress().enforced() ? "default deny" : "allow");
            m.put("egress", c.egress().enforced() ? "default deny" : "allow");
            m.put("ingress_rules", c.ingress().rules().size());
            m.put("egress_rules", c.egress().rules().size());
            m.put("audit", c.audit());
            out.add(m);
        }
        return out;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>(flows.counters());
        c.put("flow_drops_total", maps.flowDrops());
        return c;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (watch != null) watch.close();
        flows.close();
        maps.close();
    }

    /** The ids of the pinned links (for tests and bpftool checks). */
    static List<Long> linkIds(PinDirectory pins) {
        List<Long> ids = new ArrayList<>();
        for (String[] p : PROGRAMS) {
            try (PinnedLink l = PinnedLink.open(pins.resolve("links/" + p[1]))) {
                ids.add(l.linkId());
            }
        }
        return ids;
    }
}

package dev.vigil.enforce.kernel;

import dev.vigil.ebpf.BpfObject;
import dev.vigil.ebpf.BpfProgram;
import dev.vigil.ebpf.feature.FeatureProbe;
import dev.vigil.ebpf.link.Link;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.pin.PinDirectory;
import dev.vigil.ebpf.pin.Pins;
import dev.vigil.ebpf.ringbuf.RingBuffer;
import dev.vigil.enforce.compile.CompiledPolicies;
import dev.vigil.enforce.compile.CompiledPolicies.KernelRule;
import dev.vigil.enforce.compile.CompiledPolicies.LpmEntry;
import dev.vigil.enforce.compile.CompiledPolicies.NetEntry;
import dev.vigil.enforce.compile.CompiledPolicies.PortEntry;
import dev.vigil.enforce.compile.CompiledPolicies.RuleRef;
import dev.vigil.enforce.compile.Hook;
import dev.vigil.enforce.compile.KernelCaps;
import dev.vigil.enforce.compile.PolicyCompiler;
import dev.vigil.enforce.policy.EnforcementPolicy;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Process enforcement in the kernel: loads enforce.bpf.o with the programs this kernel can run (BPF LSM where
 * allowed, else the kill-at-exec and kill-at-open tracepoints; cgroup socket hooks for connect and bind), writes
 * compiled policies into its maps (live: a new set replaces the old without a reattach), and reads every decision
 * off the ring into {@link Decision}s for the listener (its own thread).
 */
public final class Enforcer implements AutoCloseable {
    private static final String OBJECT = "/bpf/enforce.bpf.o";

    /**
     * @param cgroupDir  where the connect/bind hooks attach (the cgroup v2 root covers every process; tests use a
     *                   cgroup of their own)
     * @param tamper     report signals and ptrace aimed at {@code agentTgid}
     * @param hostMntns  the host's mount namespace (host: true policies); 0: that of pid 1
     * @param monitorAll enforcement.mode: monitor
     * @param protect    enforcement.self_protection, where BPF LSM works: other processes' ptrace of (and memory access
     *                   to) the agent, signals that stop or kill it (SIGTERM, SIGINT, SIGHUP pass: an orderly stop or
     *                   reload), writes to its maps, detaches of its links and removal of its pins are refused, while
     *                   the agent runs and until someone writes the pinned unlock map (vigil policy remove does)
     */
    public record Options(Path cgroupDir, boolean tamper, int agentTgid, long hostMntns, boolean monitorAll, PinDirectory pins,
                          boolean protect) {
        public static Options defaults() {
            return new Options(defaultCgroupRoot(), true, (int) ProcessHandle.current().pid(), 0, false, null, true);
        }

        public Options withCgroupDir(Path dir) { return new Options(dir, tamper, agentTgid, hostMntns, monitorAll, pins, protect); }

        public Options withTamper(boolean on, int tgid) { return new Options(cgroupDir, on, tgid, hostMntns, monitorAll, pins, protect); }

        public Options withMonitorAll(boolean on) { return new Options(cgroupDir, tamper, agentTgid, hostMntns, on, pins, protect); }

        /** Links pinned here (and adopted from here): enforcement outlives the agent. Null: nothing pinned. */
        public Options withPins(PinDirectory dir) { return new Options(cgroupDir, tamper, agentTgid, hostMntns, monitorAll, dir, protect); }

        public Options withProtect(boolean on) { return new Options(cgroupDir, tamper, agentTgid, hostMntns, monitorAll, pins, on); }
    }

    private final Options options;
    private final KernelCaps caps;
    private final BpfObject obj;
    private final RingBuffer ring;
    private final Consumer<Decision> listener;
    private final Thread reader;
    private final Set<String> attached = new HashSet<>();
    private final List<Link> links = new ArrayList<>();
    private final Map<String, Link> linkOf = new HashMap<>();
    /** Programs attached at start, whatever the policies (tamper reports, self-protection): never detached by apply. */
    private final Set<String> baseline = new HashSet<>();
    private boolean adoptedAll;
    private final Map<String, Set<ByteBuffer>> written = new HashMap<>();
    /** enf_net_first as written (all 0 in a new map) */
    private boolean[] netFirst = new boolean[NET_FIRST_SLOTS];
    private final long hostMntns;
    private volatile CompiledPolicies current;
    private volatile boolean closed;
    private long hostPolicies, binPolicies, followPolicies;
    private int generation;

    private Enforcer(Options options, KernelCaps caps, BpfObject obj, Consumer<Decision> listener) {
        this.options = options;
        this.caps = caps;
        this.obj = obj;
        this.listener = listener;
        this.hostMntns = options.hostMntns() != 0 ? options.hostMntns() : readHostMntns();
        this.current = new PolicyCompiler(caps, options.monitorAll()).compile(List.of());
        this.ring = RingBuffer.open(obj.map("enforce_events"));
        this.reader = Thread.ofPlatform().daemon().name("vigil-enforce").unstarted(this::readLoop);
    }

    /** The cgroup v2 mount: /sys/fs/cgroup/unified on hybrid layouts, else /sys/fs/cgroup. */
    public static Path defaultCgroupRoot() {
        Path hybrid = Path.of("/sys/fs/cgroup/unified");
        return Files.isDirectory(hybrid) && Files.exists(hybrid.resolve("cgroup.procs")) ? hybrid : Path.of("/sys/fs/cgroup");
    }

    public static Enforcer start(Options options, Consumer<Decision> listener) {
        if (options.pins() != null) options.pins().create();
        KernelCaps caps = KernelCaps.of(FeatureProbe.probe());
        BpfObject obj = BpfObject.openResource(OBJECT);
        try {
            Set<String> load = programsFor(caps, options.tamper());
            for (BpfProgram p : obj.programs()) p.setAutoload(load.contains(p.name()));
            obj.load();
            Layout.verify(obj.btf());
            Enforcer e = new Enforcer(options, caps, obj, listener);
            e.writeConfig();
            e.registerOwn(load);
            if (options.tamper() && options.pins() != null) e.adoptTamperRecord();
            if (options.pins() != null) e.pinUnlock();
            boolean guard = options.tamper() || e.protecting();
            if (guard && options.agentTgid() != 0) e.attach("enf_process_exit"); // the agent's exit ends the guard
            if (options.tamper()) {
                e.attach("enf_signal_generate");
                e.attach(caps.lsm() ? "enf_lsm_ptrace" : "enf_enter_ptrace"); // the LSM hook also sees /proc/PID/mem
                if (!caps.lsm()) e.attach("enf_enter_bpf"); // reports writes to Vigil's maps and detaches of its links
                // and removal of its pins (under LSM, inode_unlink and inode_rename see them, below)
                if (!caps.lsm() && options.pins() != null) PIN_CALL_TRACEPOINTS.forEach(e::attach);
            }
            if (e.protecting()) e.attach("enf_lsm_task_kill");
            if (guard && caps.lsm()) {
                e.attach("enf_lsm_bpf");
                e.attach("enf_lsm_unlink");
                e.attach("enf_lsm_rename");
            }
            e.baseline.addAll(e.attached);
            e.reader.start();
            return e;
        } catch (RuntimeException ex) {
            obj.close();
            throw ex;
        }
    }

    private static final List<String> SETUID_TRACEPOINTS = List.of("enf_enter_setuid", "enf_enter_setreuid", "enf_enter_setresuid",
            "enf_enter_setfsuid");

    /** Without LSM: the calls that remove or move a pin (reported when they name one in Vigil's pin folders). */
    private static final List<String> PIN_CALL_TRACEPOINTS = List.of("enf_enter_unlink", "enf_enter_unlinkat", "enf_enter_rename",
            "enf_enter_renameat", "enf_enter_renameat2");

    private static Set<String> programsFor(KernelCaps caps, boolean tamper) {
        Set<String> s = new HashSet<>();
        if (caps.lsm()) {
            s.addAll(List.of("enf_lsm_bprm", "enf_lsm_open", "enf_lsm_ptrace", "enf_lsm_setuid", "enf_lsm_bpf", "enf_lsm_task_kill",
                    "enf_lsm_unlink", "enf_lsm_rename"));
            if (caps.modules()) s.addAll(List.of("enf_lsm_read_file", "enf_lsm_load_data"));
        } else {
            s.add(caps.prepareExec() ? "enf_prepare_exec" : "enf_process_exec");
            s.addAll(List.of("enf_exit_openat", "enf_exit_open", "enf_exit_openat2", "enf_exit_creat", "enf_enter_ptrace", "enf_enter_bpf"));
            s.addAll(SETUID_TRACEPOINTS);
            if (tamper) s.addAll(PIN_CALL_TRACEPOINTS);
        }
        if (caps.cgroupSockAddr()) s.addAll(List.of("enf_connect4", "enf_connect6", "enf_bind4", "enf_bind6"));
        if (tamper) s.addAll(List.of("enf_signal_generate", "enf_enter_ptrace"));
        s.add("enf_process_fork");
        s.add("enf_process_exit");
        return s;
    }

    /**
     * Self-protection is on: BPF LSM can refuse, and the agent to protect is this process (the guard lets only the agent
     * write Vigil's maps: protecting another pid would lock this process out of its own).
     */
    boolean protecting() {
        return options.protect() && caps.lsm() && options.agentTgid() != 0 && options.agentTgid() == ProcessHandle.current().pid();
    }

    public KernelCaps caps() { return caps; }

    /** The mount namespace host: true policies cover. */
    public long hostMntns() { return hostMntns; }

    public CompiledPolicies current() { return current; }

    public Options options() { return options; }

    /** Compiles for this kernel (a PolicyException names FILE:LINE:COL) and replaces the enforced set. */
    public CompiledPolicies apply(List<EnforcementPolicy> policies) {
        CompiledPolicies c = new PolicyCompiler(caps, options.monitorAll()).compile(policies);
        apply(c);
        return c;
    }

    /** Replaces the enforced set: new keys first, then the rules, then stale keys are deleted. */
    public synchronized void apply(CompiledPolicies c) {
        ensureOpen();
        Map<String, Map<ByteBuffer, byte[]>> next = new HashMap<>();
        for (Hook h : List.of(Hook.EXEC, Hook.OPEN, Hook.BINARY)) {
            String base = switch (h) {
                case EXEC -> "enf_exec_";
                case OPEN -> "enf_open_";
                default -> "enf_bin_";
            };
            Map<ByteBuffer, byte[]> pre = next.computeIfAbsent(base + "prefix", k -> new HashMap<>());
            for (LpmEntry e : c.pathTries().get(h)) pre.put(ByteBuffer.wrap(pathKey(e)), BpfMap.u64(e.mask()));
            Map<ByteBuffer, byte[]> post = next.computeIfAbsent(base + "postfix", k -> new HashMap<>());
            for (LpmEntry e : c.postfixTries().get(h)) post.put(ByteBuffer.wrap(pathKey(e)), BpfMap.u64(e.mask()));
        }
        Map<ByteBuffer, byte[]> n4 = next.computeIfAbsent("enf_net4", k -> new HashMap<>());
        Map<ByteBuffer, byte[]> n6 = next.computeIfAbsent("enf_net6", k -> new HashMap<>());
        for (NetEntry e : c.netEntries()) {
            ByteBuffer k = ByteBuffer.allocate(8 + e.address().length).order(ByteOrder.nativeOrder());
            k.putInt(32 + e.bits()).putInt(e.hook().ordinal()).put(e.address());
            (e.address().length == 4 ? n4 : n6).put(ByteBuffer.wrap(k.array()), BpfMap.u64(e.mask()));
        }
        Map<ByteBuffer, byte[]> ports = next.computeIfAbsent("enf_ports", k -> new HashMap<>());
        for (PortEntry e : c.ports()) {
            byte[] k = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(e.hook().ordinal()).putInt(e.port()).array();
            ports.put(ByteBuffer.wrap(k), BpfMap.u64(e.mask()));
        }
        for (var m : next.entrySet()) {
            BpfMap map = obj.map(m.getKey());
            for (var kv : m.getValue().entrySet()) map.update(kv.getKey().array(), kv.getValue());
        }
        boolean[] first = netFirst(c);
        BpfMap firstMap = obj.map("enf_net_first");
        for (int i = 0; i < first.length; i++) if (first[i] && !netFirst[i]) firstMap.update(BpfMap.u32(i), BpfMap.u32(1));
        BpfMap rules = obj.map("enf_rules"), hooks = obj.map("enf_hooks");
        for (Hook h : Hook.values()) {
            List<KernelRule> rs = c.rules().get(h);
            for (int i = 0; i < rs.size(); i++) {
                KernelRule r = rs.get(i);
                byte[] v = ByteBuffer.allocate((int) Layout.RULE.size()).order(ByteOrder.nativeOrder())
                        .putLong(r.terms()).putInt(r.id()).putInt(r.policy()).put((byte) r.action())
                        .put((byte) (r.monitor() ? 1 : 0)).put((byte) r.signal()).put((byte) r.access()).array();
                rules.update(BpfMap.u32(h.ordinal() * PolicyCompiler.MAX_RULES + i), v);
            }
            byte[] hc = ByteBuffer.allocate((int) Layout.HOOK_CFG.size()).order(ByteOrder.nativeOrder())
                    .putLong(c.negTerms().get(h)).putInt(rs.size()).putInt(c.postfix().get(h) ? 1 : 0)
                    .putInt(rs.stream().mapToInt(KernelRule::access).reduce(0, (a, b) -> a | b)).putInt(lookupFlags(c, h))
                    .putLong(c.upperTerms().get(h)).array();
            hooks.update(BpfMap.u32(h.ordinal()), hc);
        }
        long host = 0;
        for (int i = 0; i < c.policies().size(); i++) if (c.policies().get(i).host()) host |= 1L << i;
        hostPolicies = host;
        binPolicies = c.binPolicies();
        followPolicies = c.followPolicies();
        generation++; // every process's spec.matchBinaries answer is recomputed against the new tables
        writeConfig();
        for (var m : next.entrySet()) {
            Set<ByteBuffer> before = written.getOrDefault(m.getKey(), Set.of());
            BpfMap map = obj.map(m.getKey());
            for (ByteBuffer k : before) if (!m.getValue().containsKey(k)) map.delete(k.array());
            written.put(m.getKey(), new HashSet<>(m.getValue().keySet()));
        }
        for (int i = 0; i < first.length; i++) if (!first[i] && netFirst[i]) firstMap.update(BpfMap.u32(i), BpfMap.u32(0));
        netFirst = first;
        current = c;
        // the tables are in place: only now do this run's programs take over the hooks (pinned ones swapped)
        Set<String> needed = new HashSet<>(baseline);
        for (Hook h : Hook.values()) if (!c.rules().get(h).isEmpty()) needed.addAll(programsOf(h));
        if (followPolicies != 0) needed.add("enf_process_fork");
        for (String p : needed) attach(p);
        // and a hook no rule uses any more costs nothing: its program goes (a policy with only exec rules runs no open program)
        for (String p : new ArrayList<>(attached)) if (!needed.contains(p)) detach(p);
        dropUnusedPins(needed);
    }

    /**
     * Links an earlier run pinned that this set does not use go (their old tables would go on enforcing an old policy,
     * and each costs its hook's time); those it uses were swapped for this run's by attach.
     */
    private void dropUnusedPins(Set<String> needed) {
        if (adoptedAll || options.pins() == null) return;
        adoptedAll = true;
        for (Path pin : options.pins().pins()) {
            String program = pin.getFileName().toString();
            if (needed.contains(program) || PinDirectory.kindAt(pin) != Pins.Kind.LINK) continue;
            Pins.unpin(pin);
        }
    }

    /** Detaches a program this run attached, and its pin. */
    private void detach(String program) {
        Link l = linkOf.remove(program);
        attached.remove(program);
        linkIds.remove(program);
        if (l == null) return;
        links.remove(l);
        if (options.pins() != null) {
            Path pin = options.pins().resolve(program);
            if (Files.exists(pin)) Pins.unpin(pin);
        }
        l.close();
    }

    /**
     * connect, bind: which tables a call must consult (ENF_HOOK_F_PORTS 1, ENF_HOOK_F_NET 2): none for a term kind no rule
     * has; and ENF_HOOK_F_BLANK 4 when some rule holds with no term hit (no terms, or only negated ones), without which
     * a call that hit no term is allowed before the scope and the rules are read.
     */
    private static int lookupFlags(CompiledPolicies c, Hook h) {
        int f = 0;
        if (c.ports().stream().anyMatch(e -> e.hook() == h)) f |= 1;
        if (c.netEntries().stream().anyMatch(e -> e.hook() == h)) f |= 2;
        long neg = c.negTerms().get(h);
        if (c.rules().get(h).stream().anyMatch(r -> (r.terms() & ~neg) == 0)) f |= 4;
        return f;
    }

    /** enf_net_first slots (vigil/enforce.h ENF_NET_FIRST_SLOT): hooks connect and bind, two families, 256 first bytes. */
    static final int NET_FIRST_SLOTS = 2 * 2 * 256;

    /** Which first address bytes some CIDR entry can match, per hook and family: the others cost no trie lookup. */
    static boolean[] netFirst(CompiledPolicies c) {
        boolean[] out = new boolean[NET_FIRST_SLOTS];
        for (NetEntry e : c.netEntries()) {
            if (e.hook() != Hook.CONNECT && e.hook() != Hook.BIND) continue;
            int base = ((e.hook().ordinal() - Hook.CONNECT.ordinal()) * 2 + (e.address().length == 16 ? 1 : 0)) * 256;
            int bits = Math.min(e.bits(), 8), lo = (e.address()[0] & 0xff) & (0xff << (8 - bits)) & 0xff;
            for (int b = lo; b < lo + (1 << (8 - bits)); b++) out[base + b] = true;
        }
        return out;
    }

    private static byte[] pathKey(LpmEntry e) {
        ByteBuffer b = ByteBuffer.allocate((int) Layout.PATH_KEY.size()).order(ByteOrder.nativeOrder());
        b.putInt(e.bits()).put(e.data(), 0, Math.min(e.data().length, Layout.PATH_LEN));
        return b.array();
    }

    /** The policies (bit mask over {@link CompiledPolicies#policies()}) that select the container in this mount namespace. */
    public synchronized void selectContainer(long mntns, long policyMask) {
        ensureOpen();
        BpfMap m = obj.map("enf_mntns");
        if (policyMask == 0) m.delete(BpfMap.u64(mntns));
        else m.update(BpfMap.u64(mntns), BpfMap.u64(policyMask));
    }

    private synchronized void writeConfig() {
        byte[] v = ByteBuffer.allocate((int) Layout.CONFIG.size()).order(ByteOrder.nativeOrder())
                .putLong(hostMntns).putLong(hostPolicies).putInt(options.agentTgid()).putInt(options.tamper() ? 1 : 0)
                .putLong(binPolicies).putLong(followPolicies).putInt(generation).putInt(protecting() ? 1 : 0)
                .putInt(0).putInt(0).array();
        obj.map("enf_config").update(BpfMap.u32(0), v);
    }

    private static final long OBJ_MAP = 1, OBJ_LINK = 2, OBJ_PROG = 3;
    private static final int OWN = 1, OWN_UNLOCK = 2;
    private final Map<String, Integer> linkIds = new HashMap<>();

    /**
     * This run's maps and programs into enf_own (what the kernel side guards), and the pin folders into enf_pin_dirs:
     * this kind's, the pin root above it and the root's other kind folders.
     */
    private void registerOwn(Set<String> loaded) {
        BpfMap own = obj.map("enf_own");
        for (BpfMap m : obj.maps()) {
            int id = objectId(m.fd());
            if (id > 0) own.update(BpfMap.u64(OBJ_MAP << 32 | id), BpfMap.u32(m.name().equals("enf_unlock") ? OWN_UNLOCK : OWN));
        }
        for (BpfProgram p : obj.programs()) {
            if (!loaded.contains(p.name())) continue;
            int id = objectId(p.fd());
            if (id > 0) own.update(BpfMap.u64(OBJ_PROG << 32 | id), BpfMap.u32(OWN));
        }
        if (options.pins() == null) return;
        BpfMap dirs = obj.map("enf_pin_dirs");
        Path root = options.pins().root();
        List<Path> folders = new ArrayList<>(List.of(root));
        Path parent = root.getParent();
        if (parent != null && Pins.onBpffs(parent)) {
            folders.add(parent);
            try (var ls = Files.list(parent)) {
                ls.filter(Files::isDirectory).forEach(folders::add);
            } catch (IOException e) {
                // the kind's own folder is enough
            }
        }
        BpfMap paths = obj.map("enf_pin_paths");
        byte[] head = null;
        boolean shared = true;
        for (Path f : folders) {
            try {
                dirs.update(BpfMap.u64(((Number) Files.getAttribute(f, "unix:ino")).longValue()), BpfMap.u32(OWN));
                byte[] folder = (f.toRealPath() + "/").getBytes(StandardCharsets.UTF_8);
                if (folder.length < Layout.PATH_LEN) {
                    paths.update(pathKey(new LpmEntry(folder, folder.length * 8, 0)), BpfMap.u64(folder.length));
                    byte[] h = Arrays.copyOf(folder, 8);
                    if (folder.length < 8 || head != null && !Arrays.equals(head, h)) shared = false;
                    head = h;
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("vigil: enforcement: cannot guard the pin folder " + f + ": " + e.getMessage());
            }
        }
        // enf_pin_head: the 8 bytes every folder path starts with, so that other absolute paths cost a read of 8 bytes
        if (head != null && shared) {
            byte[] v = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).put(head).putLong(1).array();
            obj.map("enf_pin_head").update(BpfMap.u32(0), v);
        }
    }

    /** The kernel id of the BPF object behind fd (map, program or link: the id is the second field of each info). */
    static int objectId(int fd) {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment info = a.allocate(256, 8);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 256);
            return dev.vigil.ebpf.internal.LibBpf.objGetInfoByFd(fd, info, len) == 0 ? info.get(ValueLayout.JAVA_INT, 4) : 0;
        }
    }

    /** The kernel id of this run's map (for tests and tools). */
    public int mapId(String name) {
        return objectId(obj.map(name).fd());
    }

    /** The kernel id of the link this run attached for the program, or 0. */
    public synchronized int linkId(String program) {
        return linkIds.getOrDefault(program, 0);
    }

    /**
     * The unlock map pinned as "unlock": vigil policy remove writes it, which lifts self-protection (reported) so that
     * the state can go even while an agent runs. An earlier run's pin is replaced (its agent is gone: its guard ended).
     */
    private void pinUnlock() {
        Path pin = options.pins().resolve("unlock");
        if (Files.exists(pin)) Pins.unpin(pin);
        obj.map("enf_unlock").pin(pin);
    }

    /** The programs that enforce a hook's rules on this kernel. */
    private List<String> programsOf(Hook h) {
        return switch (h) {
            case EXEC -> List.of(caps.lsm() ? "enf_lsm_bprm" : caps.prepareExec() ? "enf_prepare_exec" : "enf_process_exec");
            case OPEN -> caps.lsm() ? List.of("enf_lsm_open") : OPEN_TRACEPOINTS;
            case CONNECT -> List.of("enf_connect4", "enf_connect6");
            case PTRACE -> List.of(caps.lsm() ? "enf_lsm_ptrace" : "enf_enter_ptrace");
            case SETUID -> caps.lsm() ? List.of("enf_lsm_setuid") : SETUID_TRACEPOINTS;
            case BPF -> List.of(caps.lsm() ? "enf_lsm_bpf" : "enf_enter_bpf");
            case MODULE_LOAD -> caps.lsm() && caps.modules() ? List.of("enf_lsm_read_file", "enf_lsm_load_data") : List.of();
            case BINARY -> List.of(); // no hook of its own: consulted by the others (and enf_process_fork for followChildren)
            case BIND -> List.of("enf_bind4", "enf_bind6");
        };
    }

    private static final List<String> OPEN_TRACEPOINTS = List.of("enf_exit_openat", "enf_exit_open", "enf_exit_openat2", "enf_exit_creat");

    /**
     * Per attached program, what the kernel's BPF statistics say it cost: {run_time_ns, run_cnt} (both 0 unless
     * someone holds BPF_ENABLE_STATS or kernel.bpf_stats_enabled is set). For benchmarks.
     */
    public synchronized Map<String, long[]> programStats() {
        Map<String, long[]> out = new java.util.TreeMap<>();
        for (String p : attached) {
            try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
                MemorySegment info = a.allocate(256, 8);
                MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
                len.set(ValueLayout.JAVA_INT, 0, 256);
                if (dev.vigil.ebpf.internal.LibBpf.objGetInfoByFd(obj.program(p).fd(), info, len) == 0) {
                    // struct bpf_prog_info: run_time_ns at 192, run_cnt at 200 (UAPI)
                    out.put(p, new long[] {info.get(ValueLayout.JAVA_LONG, 192), info.get(ValueLayout.JAVA_LONG, 200)});
                }
            }
        }
        return out;
    }

    private void attach(String program) {
        if (!attached.add(program)) return;
        BpfProgram p = obj.program(program);
        String sec = p.sectionName();
        Path pin = options.pins() == null ? null : options.pins().resolve(program);
        Link l;
        if (sec.startsWith("lsm/")) l = p.attachLsm();
        else if (sec.startsWith("tp_btf/")) l = p.attachBtfTracepoint();
        else if (sec.startsWith("cgroup/")) l = p.attachCgroup(options.cgroupDir());
        else if (sec.startsWith("tracepoint/")) {
            String[] parts = sec.split("/");
            l = p.attachTracepoint(parts[1], parts[2]);
        } else throw new IllegalStateException("no attach rule for " + sec);
        links.add(l);
        linkOf.put(program, l);
        int linkId = objectId(l.fd());
        if (linkId > 0) {
            linkIds.put(program, linkId);
            obj.map("enf_own").update(BpfMap.u64(OBJ_LINK << 32 | linkId), BpfMap.u32(OWN));
        }
        // perf-event links (syscall tracepoints) cannot be pinned: the kill-at-open fallback ends with the agent
        if (pin == null || sec.startsWith("tracepoint/")) return;
        if (Files.exists(pin)) {
            // An earlier run's link: tracing and LSM links cannot swap programs (BPF_LINK_UPDATE is EINVAL for them),
            // so this run's link is attached first (both enforce for a moment), then the old one is unpinned (detached).
            Pins.unpin(pin);
        }
        l.pin(pin);
    }

    /**
     * The last tamper report of an earlier run (kept in a pinned map even when that agent was SIGKILLed and its ring
     * went unread) goes to the listener once, as a TAMPER decision; then this run's map takes the pin.
     */
    private void adoptTamperRecord() {
        Path pin = options.pins().resolve("enf_tamper_last");
        if (Files.exists(pin)) {
            try (dev.vigil.ebpf.pin.PinnedMap old = dev.vigil.ebpf.pin.PinnedMap.open(pin)) {
                byte[] rec = old.lookup(BpfMap.u32(0)).orElse(null);
                if (rec != null && BpfMap.readU64(rec, 0) != 0) onRecord(MemorySegment.ofArray(rec), 0, rec.length);
            } catch (RuntimeException ex) {
                System.err.println("vigil: enforcement: cannot read the pinned tamper record " + pin + ": " + ex.getMessage());
            }
            Pins.unpin(pin);
        }
        obj.map("enf_tamper_last").pin(pin);
    }

    /** Programs attached now (for show and tests). */
    public synchronized Set<String> attachedPrograms() {
        return Set.copyOf(attached);
    }

    /** Decisions the kernel could not report (ring full), summed over CPUs. */
    public long decisionsLost() {
        return obj.map("enf_counters").sumPerCpuLong(1);
    }

    public long decisionsReported() {
        return obj.map("enf_counters").sumPerCpuLong(0);
    }

    private void readLoop() {
        while (!closed) {
            try {
                ring.poll(100, this::onRecord);
            } catch (RuntimeException e) {
                if (!closed) throw e;
            }
        }
    }

    private void onRecord(MemorySegment d, long off, int len) {
        if (len < Layout.EVENT.size()) return;
        int hookNo = d.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 48);
        Decision.Outcome out = Decision.Outcome.of(d.get(ValueLayout.JAVA_BYTE, off + 50));
        int ruleId = d.get(ValueLayout.JAVA_INT_UNALIGNED, off + 40);
        RuleRef ref = out == Decision.Outcome.TAMPER ? null : current.byId().get(ruleId);
        int family = d.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 54) & 0xffff;
        String address = null;
        if (family == 2 || family == 10) {
            byte[] a = new byte[family == 2 ? 4 : 16];
            MemorySegment.copy(d, ValueLayout.JAVA_BYTE, off + 56, a, 0, a.length);
            try {
                address = InetAddress.getByAddress(a).getHostAddress();
            } catch (UnknownHostException e) {
                address = "?";
            }
        }
        int pathLen = Math.min(d.get(ValueLayout.JAVA_INT_UNALIGNED, off + 72), Layout.PATH_LEN - 1);
        byte[] path = new byte[Math.max(pathLen, 0)];
        MemorySegment.copy(d, ValueLayout.JAVA_BYTE, off + 92, path, 0, path.length);
        String action = ref != null ? ref.action().yamlName
                : out == Decision.Outcome.TAMPER && d.get(ValueLayout.JAVA_BYTE, off + 51) == 1 ? "Deny" : "";
        Decision dec = new Decision(d.get(ValueLayout.JAVA_LONG_UNALIGNED, off), Hook.of(hookNo), out,
                ref == null ? "" : ref.policy(), ref == null ? (out == Decision.Outcome.TAMPER ? "" : "rule#" + ruleId) : ref.rule(),
                action, ref == null ? "" : ref.enforcedBy(),
                d.get(ValueLayout.JAVA_INT_UNALIGNED, off + 24), d.get(ValueLayout.JAVA_INT_UNALIGNED, off + 28),
                d.get(ValueLayout.JAVA_INT_UNALIGNED, off + 32), d.get(ValueLayout.JAVA_INT_UNALIGNED, off + 36),
                cString(d, off + 76, 16), new String(path, StandardCharsets.UTF_8),
                d.get(ValueLayout.JAVA_LONG_UNALIGNED, off + 8), d.get(ValueLayout.JAVA_LONG_UNALIGNED, off + 16), address,
                d.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 52) & 0xffff,
                out == Decision.Outcome.TAMPER ? ruleId : 0, d.get(ValueLayout.JAVA_INT_UNALIGNED, off + 44));
        try {
            listener.accept(dec);
        } catch (RuntimeException e) {
            System.err.println("vigil: enforcement decision listener failed: " + e);
        }
    }

    private static String cString(MemorySegment d, long off, int max) {
        int n = 0;
        while (n < max && d.get(ValueLayout.JAVA_BYTE, off + n) != 0) n++;
        byte[] b = new byte[n];
        MemorySegment.copy(d, ValueLayout.JAVA_BYTE, off, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * The host's mount namespace: pid 1's; where pid 1's cannot be read (a sandbox that hides its init), the agent's
     * own (the agent runs on the host, or with the host's pid and mount namespaces).
     */
    static long readHostMntns() {
        long init = mntnsOf(1);
        return init != 0 ? init : mntnsOf(ProcessHandle.current().pid());
    }

    /** The inode of a process's mount namespace (what the kernel side keys containers by), or 0. */
    public static long mntnsOf(long pid) {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")).toString(); // mnt:[4026531841]
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("enforcer is closed");
    }

    /** Detaches what is not pinned and frees this process's handles; pinned links keep enforcing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        ring.wakeup();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Link l : links) l.close(); // pinned ones stay attached: only this process's fd goes
        ring.close();
        obj.close();
    }

    /** The hooks this kernel uses, per group, for messages. */
    public static EnumSet<Hook> hooks() {
        return EnumSet.allOf(Hook.class);
    }
}

package dev.vigil.ebpf;

import dev.vigil.ebpf.internal.Libc;
import dev.vigil.ebpf.internal.LibBpf;
import dev.vigil.ebpf.internal.LibBpfLog;
import dev.vigil.ebpf.internal.Native;
import dev.vigil.ebpf.link.Link;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import dev.vigil.ebpf.internal.PerfSyscalls;
import dev.vigil.ebpf.perf.Cpus;
import dev.vigil.ebpf.perf.PerfEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One program of a {@link BpfObject}. Each attach method returns a {@link Link} of the matching kind;
 * the link detaches when closed (or when its object closes).
 */
public final class BpfProgram {
    private final BpfObject object;
    private final MemorySegment handle;
    private final String name;
    private final String sectionName;

    BpfProgram(BpfObject object, MemorySegment handle) {
        this.object = object;
        this.handle = handle;
        this.name = LibBpf.programName(handle);
        this.sectionName = LibBpf.programSectionName(handle);
    }

    public String name() {
        return name;
    }

    /** The ELF section, e.g. {@code tracepoint/syscalls/sys_enter_execve}: it says how auto-attach works. */
    public String sectionName() {
        return sectionName;
    }

    public ProgramType type() {
        object.ensureOpen();
        return ProgramType.of(LibBpf.programType(handle));
    }

    public BpfObject object() {
        return object;
    }

    /** Whether load() loads this program; turn off the programs a run does not need. Before load only. */
    public BpfProgram setAutoload(boolean autoload) {
        object.ensureOpen();
        if (object.isLoaded()) {
            throw new BpfException("program '" + name + "': autoload can only change before load");
        }
        int rc = LibBpf.programSetAutoload(handle, autoload);
        if (rc != 0) {
            throw new BpfException("program '" + name + "': cannot set autoload", rc);
        }
        return this;
    }

    public int fd() {
        object.ensureLoaded("program '" + name + "'");
        int fd = LibBpf.programFd(handle);
        if (fd < 0) {
            throw new BpfException("program '" + name + "' was not loaded (autoload off?)", fd);
        }
        return fd;
    }

    /** Pins the loaded program at {@code path} in bpffs (it stays loaded after this process). */
    public void pin(Path path) {
        dev.vigil.ebpf.pin.Pins.pin(fd(), path, "program '" + name + "'");
    }

    /** Attaches by section name, as libbpf's skeletons do. */
    public Link attach() {
        return attachWith("attach", (errno) -> LibBpf.attach(errno, handle), Link.Auto::new);
    }

    /** {@code tracepoint/CATEGORY/NAME}, e.g. ("syscalls", "sys_enter_execve"). Needs tracefs. */
    public Link.Tracepoint attachTracepoint(String category, String tracepoint) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = a.allocateFrom(category);
            MemorySegment t = a.allocateFrom(tracepoint);
            return attachWith("attach to tracepoint " + category + ":" + tracepoint,
                    errno -> LibBpf.attachTracepoint(errno, handle, c, t),
                    h -> new Link.Tracepoint(h, category, tracepoint));
        }
    }

    public Link.RawTracepoint attachRawTracepoint(String tracepoint) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment t = a.allocateFrom(tracepoint);
            return attachWith("attach to raw tracepoint " + tracepoint,
                    errno -> LibBpf.attachRawTracepoint(errno, handle, t),
                    h -> new Link.RawTracepoint(h, tracepoint));
        }
    }

    /** tp_btf programs: the target comes from the section name. */
    public Link.BtfTracepoint attachBtfTracepoint() {
        return attachWith("attach BTF tracepoint", errno -> LibBpf.attachTrace(errno, handle),
                h -> new Link.BtfTracepoint(h, sectionName));
    }

    /** fentry/fexit/fmod_ret programs (BPF trampolines). */
    public Link.Tracing attachTracing() {
        return attachWith("attach fentry/fexit", errno -> LibBpf.attachTrace(errno, handle),
                h -> new Link.Tracing(h, sectionName));
    }

    public Link.Lsm attachLsm() {
        return attachWith("attach LSM hook", errno -> LibBpf.attachLsm(errno, handle),
                h -> new Link.Lsm(h, sectionName));
    }

    public Link.Kprobe attachKprobe(String function, boolean retprobe) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocateFrom(function);
            return attachWith("attach " + (retprobe ? "kretprobe" : "kprobe") + " to " + function,
                    errno -> LibBpf.attachKprobe(errno, handle, retprobe, f),
                    h -> new Link.Kprobe(h, function, retprobe));
        }
    }

    /**
     * Attaches to a cgroup v2 directory (e.g. /sys/fs/cgroup/unified/x). The link holds the attachment:
     * the directory's fd is closed right away.
     */
    public Link.Cgroup attachCgroup(Path cgroupDir) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Native.newErrnoState(a);
            int fd = Libc.open(errno, a.allocateFrom(cgroupDir.toString()), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
            if (fd < 0) {
                throw new BpfException("program '" + name + "': cannot open cgroup directory " + cgroupDir, Native.errno(errno));
            }
            try {
                return attachWith("attach to cgroup " + cgroupDir, e -> LibBpf.attachCgroup(e, handle, fd),
                        h -> new Link.Cgroup(h, cgroupDir));
            } finally {
                Libc.close(fd);
            }
        }
    }

    public Link.Xdp attachXdp(String interfaceName) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Native.newErrnoState(a);
            int ifindex = Libc.ifNameToIndex(errno, a.allocateFrom(interfaceName));
            if (ifindex == 0) {
                throw new BpfException("program '" + name + "': no network interface named " + interfaceName, Native.errno(errno));
            }
            return attachWith("attach XDP to " + interfaceName, e -> LibBpf.attachXdp(e, handle, ifindex),
                    h -> new Link.Xdp(h, interfaceName, ifindex));
        }
    }

    /**
     * A uprobe on a function of an ELF binary or library, by symbol name (libbpf resolves it).
     * pid -1 means every process that maps the binary.
     */
    public Link.Uprobe attachUprobe(Path binary, String function, boolean retprobe, int pid) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment opts = a.allocate(40, 8); // sizeof(struct bpf_uprobe_opts) in libbpf 1.1
            opts.set(ValueLayout.JAVA_LONG, 0, 40L);
            opts.set(ValueLayout.JAVA_BOOLEAN, 24, retprobe);
            opts.set(ValueLayout.ADDRESS, 32, a.allocateFrom(function));
            MemorySegment path = a.allocateFrom(binary.toString());
            return attachWith("attach " + (retprobe ? "uretprobe" : "uprobe") + " to " + binary + ":" + function,
                    e -> LibBpf.attachUprobeOpts(e, handle, pid, path, 0L, opts),
                    h -> new Link.Uprobe(h, binary, function, retprobe));
        }
    }

    /**
     * A perf_event program on one perf event: {@code pid} -1 for every process, {@code cpu} -1 for any
     * CPU (at least one of them must be given, as perf_event_open requires).
     */
    public Link.PerfEvent attachPerfEvent(PerfEvent event, int pid, int cpu) {
        object.ensureLoaded("program '" + name + "': attach perf event");
        int fd = event.open(pid, cpu);
        try {
            return attachWith("attach to perf event " + event.description() + " on CPU " + cpu,
                    e -> PerfSyscalls.attachPerfEvent(e, handle, fd), h -> new Link.PerfEvent(h, event.description(), cpu));
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /**
     * One perf event per online CPU, all processes (how profile samples): the links, in CPU order.
     * A CPU that goes offline between listing and opening (ENODEV) is skipped.
     */
    public List<Link.PerfEvent> attachPerfEventEachCpu(PerfEvent event) {
        List<Link.PerfEvent> links = new ArrayList<>();
        try {
            for (int cpu : Cpus.online()) {
                try {
                    links.add(attachPerfEvent(event, -1, cpu));
                } catch (BpfException e) {
                    if (e.errno() != 19 /* ENODEV */) {
                        throw e;
                    }
                }
            }
            return links;
        } catch (RuntimeException e) {
            links.forEach(Link::close);
            throw e;
        }
    }

    private <L extends Link> L attachWith(String what, Function<MemorySegment, MemorySegment> call, Function<MemorySegment, L> wrap) {
        object.ensureLoaded("program '" + name + "': " + what);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Native.newErrnoState(a);
            StringBuilder log = new StringBuilder();
            MemorySegment link = LibBpfLog.capturing(log, () -> call.apply(errno));
            if (Native.isNull(link)) {
                int err = Native.errno(errno);
                String detail = log.toString().strip();
                throw new BpfException("program '" + name + "': cannot " + what
                        + (detail.isEmpty() ? "" : " [" + lastLine(detail) + "]"), err);
            }
            L l = wrap.apply(link);
            l.bind(object);
            return l;
        }
    }

    private static String lastLine(String s) {
        int nl = s.lastIndexOf('\n');
        return nl < 0 ? s : s.substring(nl + 1);
    }

    @Override
    public String toString() {
        return "BpfProgram[" + name + " (" + sectionName + ")]";
    }
}

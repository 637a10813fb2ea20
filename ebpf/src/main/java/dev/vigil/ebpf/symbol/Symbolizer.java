package dev.vigil.ebpf.symbol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns stack addresses into names: kernel frames from /proc/kallsyms, user frames from the ELF
 * symbol tables of whatever file maps the address (read through /proc/PID/root, so a container's
 * files are its own), and JIT frames (Java, node) from /tmp/perf-PID.map. Binaries are read once and
 * shared across processes by path and inode; a process's maps are read at its first lookup. Not
 * thread-safe: one symbolizer per printing thread.
 */
public final class Symbolizer {
    /** A resolved frame; {@code name} is null when nothing named the address. {@code module} is the file's base name. */
    public record Frame(long address, String name, long offset, String module) {
        public boolean resolved() {
            return name != null;
        }

        /** The name, or BCC's {@code [unknown]}. */
        public String nameOrUnknown() {
            return name != null ? name : "[unknown]";
        }
    }

    public static final List<Path> DEFAULT_DEBUG_ROOTS = List.of(Path.of("/usr/lib/debug"));

    private record BinaryKey(String path, long inode) {}

    private final class Process {
        final int pid;
        ProcessMaps maps;
        PerfMap perfMap;

        Process(int pid) {
            this.pid = pid;
            this.maps = ProcessMaps.of(pid);
        }

        PerfMap perfMap() {
            if (perfMap == null) {
                perfMap = PerfMap.of(pid);
            }
            return perfMap;
        }
    }

    private final List<Path> debugRoots;
    private KernelSymbols kernel;
    private final Map<Integer, Process> processes = new HashMap<>();
    private final Map<BinaryKey, BinarySymbols> binaries = new HashMap<>();

    public Symbolizer() {
        this(DEFAULT_DEBUG_ROOTS);
    }

    public Symbolizer(List<Path> debugRoots) {
        this.debugRoots = List.copyOf(debugRoots);
    }

    public KernelSymbols kernelSymbols() {
        if (kernel == null) {
            kernel = KernelSymbols.load();
        }
        return kernel;
    }

    public Frame kernel(long address) {
        SymbolTable.Hit hit = kernelSymbols().lookup(address);
        return hit == null ? new Frame(address, null, 0, "kernel") : new Frame(address, hit.name(), hit.offset(), "kernel");
    }

    public Frame user(int pid, long address) {
        Process p = processes.computeIfAbsent(pid, Process::new);
        ProcessMaps.Mapping m = p.maps.find(address);
        if (m == null && p.maps != ProcessMaps.NONE) {
            p.maps = ProcessMaps.of(pid); // mapped since the first look (dlopen, a new JIT region)
            m = p.maps.find(address);
        }
        if (m != null && m.isFile()) {
            BinarySymbols symbols = binary(pid, m);
            SymbolTable.Hit hit = symbols.lookupFileOffset(address - m.start() + m.offset());
            String module = m.path().substring(m.path().lastIndexOf('/') + 1);
            return hit == null ? new Frame(address, null, 0, module) : new Frame(address, hit.name(), hit.offset(), module);
        }
        // anonymous memory: JIT-compiled code, named only by a perf map
        SymbolTable.Hit hit = p.perfMap().lookup(address);
        String module = m == null ? "" : m.path();
        return hit == null ? new Frame(address, null, 0, module) : new Frame(address, hit.name(), hit.offset(), "[jit]");
    }

    /** The symbols of a file as process {@code pid} sees it (its mount namespace). */
    public BinarySymbols binary(int pid, ProcessMaps.Mapping m) {
        return binaries.computeIfAbsent(new BinaryKey(m.path(), m.inode()), k -> {
            Path inRoot = Path.of("/proc", Integer.toString(pid), "root", k.path().substring(1));
            return BinarySymbols.load(Files.exists(inRoot) ? inRoot : Path.of(k.path()), debugRoots);
        });
    }

    /** Drops what is cached about a process (it exited, or its perf map grew and should be reread). */
    public void forget(int pid) {
        processes.remove(pid);
    }
}

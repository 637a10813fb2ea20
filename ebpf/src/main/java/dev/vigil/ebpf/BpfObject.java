package dev.vigil.ebpf;

import dev.vigil.ebpf.btf.Btf;
import dev.vigil.ebpf.internal.LibBpf;
import dev.vigil.ebpf.internal.LibBpfLog;
import dev.vigil.ebpf.internal.Native;
import dev.vigil.ebpf.link.Link;
import dev.vigil.ebpf.map.BpfMap;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compiled BPF ELF object: opened from bytes, configured ({@code const volatile} globals in .rodata,
 * map sizes, which programs load), then loaded into the kernel. Closing it closes its programs, maps
 * and any link still attached; nothing survives the process unless pinned.
 */
public final class BpfObject implements AutoCloseable {
    private static final Pattern FAILED_PROGRAM = Pattern.compile("prog '([^']+)': (?:BPF program load failed|failed to load)");

    private final String name;
    private final Arena arena;
    private final MemorySegment handle;
    private final Map<String, BpfProgram> programs = new LinkedHashMap<>();
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final Set<Link> links = Collections.synchronizedSet(new LinkedHashSet<>());
    private volatile boolean loaded;
    private volatile boolean closed;
    private Btf btf;

    private BpfObject(String name, Arena arena, MemorySegment handle) {
        this.name = name;
        this.arena = arena;
        this.handle = handle;
        for (MemorySegment p = LibBpf.objectNextProgram(handle, MemorySegment.NULL); !Native.isNull(p);
                p = LibBpf.objectNextProgram(handle, p)) {
            BpfProgram program = new BpfProgram(this, p);
            programs.put(program.name(), program);
        }
        for (MemorySegment m = LibBpf.objectNextMap(handle, MemorySegment.NULL); !Native.isNull(m);
                m = LibBpf.objectNextMap(handle, m)) {
            BpfMap map = new BpfMap(this::ensureOpen, this::isLoaded, m);
            maps.put(map.name(), map);
        }
    }

    /** Opens an ELF object from memory. The name is used for messages and as libbpf's object name. */
    public static BpfObject open(String name, byte[] elf) {
        LibBpf.ensureAvailable();
        LibBpfLog.install();
        Arena arena = Arena.ofShared();
        try {
            // libbpf keeps pointing at the buffer until load: it lives in the object's arena.
            MemorySegment buf = arena.allocate(elf.length, 8);
            MemorySegment.copy(elf, 0, buf, ValueLayout.JAVA_BYTE, 0, elf.length);
            MemorySegment opts = arena.allocate(80, 8); // sizeof(struct bpf_object_open_opts) in libbpf 1.1
            opts.set(ValueLayout.JAVA_LONG, 0, 80L);
            opts.set(ValueLayout.ADDRESS, 8, arena.allocateFrom(name));
            MemorySegment errno = Native.newErrnoState(arena);
            StringBuilder log = new StringBuilder();
            MemorySegment obj = LibBpfLog.capturing(log,
                    () -> LibBpf.objectOpenMem(errno, buf, elf.length, opts));
            if (Native.isNull(obj)) {
                String detail = log.toString().strip();
                throw new BpfException("cannot open BPF object '" + name + "'"
                        + (detail.isEmpty() ? "" : " (" + lastLines(detail, 3).replace('\n', ' ') + ")"), Native.errno(errno));
            }
            return new BpfObject(name, arena, obj);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Opens an object packaged as a classpath resource, e.g. {@code /bpf/execsnoop.bpf.o}. */
    public static BpfObject openResource(String resource) {
        try (InputStream in = BpfObject.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BpfException("BPF object resource " + resource + " is not on the class path (was the bpf module built?)");
            }
            return open(baseName(resource), in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    public static BpfObject openFile(Path path) {
        try {
            return open(baseName(path.getFileName().toString()), Files.readAllBytes(path));
        } catch (IOException e) {
            throw new BpfException("cannot read BPF object " + path + ": " + e.getMessage());
        }
    }

    private static String baseName(String path) {
        String n = path.substring(path.lastIndexOf('/') + 1);
        int dot = n.indexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    public String name() {
        return name;
    }

    public boolean isLoaded() {
        return loaded;
    }

    public boolean isClosed() {
        return closed;
    }

    /** The program with this function name; the error lists the names that do exist. */
    public BpfProgram program(String programName) {
        ensureOpen();
        BpfProgram p = programs.get(programName);
        if (p == null) {
            throw new BpfException("BPF object '" + name + "' has no program named '" + programName
                    + "' (it has: " + String.join(", ", programs.keySet()) + ")");
        }
        return p;
    }

    public List<BpfProgram> programs() {
        ensureOpen();
        return List.copyOf(programs.values());
    }

    public BpfMap map(String mapName) {
        ensureOpen();
        BpfMap m = maps.get(mapName);
        if (m == null) {
            throw new BpfException("BPF object '" + name + "' has no map named '" + mapName
                    + "' (it has: " + String.join(", ", maps.keySet()) + ")");
        }
        return m;
    }

    public List<BpfMap> maps() {
        ensureOpen();
        return List.copyOf(maps.values());
    }

    /** The object's own BTF (types of its programs and maps), used to check Java's view of shared structs. */
    public synchronized Btf btf() {
        ensureOpen();
        if (btf == null) {
            MemorySegment b = LibBpf.objectBtf(handle);
            if (Native.isNull(b)) {
                throw new BpfException("BPF object '" + name + "' carries no BTF (compile it with clang -g)");
            }
            btf = new Btf(b, this::ensureOpen);
        }
        return btf;
    }

    /** Sets a {@code const volatile} global (in .rodata) before load; size must match the variable's. */
    public BpfObject setConstant(String variable, long value) {
        Btf.Variable v = rodataVariable(variable);
        MemorySegment data = rodata();
        MemorySegment at = data.asSlice(v.offset(), v.size());
        switch (v.size()) {
            case 1 -> at.set(ValueLayout.JAVA_BYTE, 0, (byte) checkRange(variable, value, 8));
            case 2 -> at.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) checkRange(variable, value, 16));
            case 4 -> at.set(ValueLayout.JAVA_INT_UNALIGNED, 0, (int) checkRange(variable, value, 32));
            case 8 -> at.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
            default -> throw new BpfException("constant '" + variable + "' is " + v.size() + " bytes: set it with setConstant(String, byte[])");
        }
        return this;
    }

    /** Sets a {@code const volatile} array or struct global; shorter input is zero-padded. */
    public BpfObject setConstant(String variable, byte[] value) {
        Btf.Variable v = rodataVariable(variable);
        if (value.length > v.size()) {
            throw new BpfException("constant '" + variable + "' holds " + v.size() + " bytes, got " + value.length);
        }
        MemorySegment at = rodata().asSlice(v.offset(), v.size());
        at.fill((byte) 0);
        MemorySegment.copy(value, 0, at, ValueLayout.JAVA_BYTE, 0, value.length);
        return this;
    }

    private static long checkRange(String variable, long value, int bits) {
        long min = -(1L << (bits - 1));
        long maxUnsigned = (1L << bits) - 1;
        if (value < min || value > maxUnsigned) {
            throw new BpfException("value " + value + " does not fit constant '" + variable + "' (" + bits + " bits)");
        }
        return value;
    }

    private Btf.Variable rodataVariable(String variable) {
        ensureOpen();
        if (loaded) {
            throw new BpfException("constant '" + variable + "' of '" + name + "' can only be set before load (.rodata is frozen)");
        }
        return btf().datasecVariable(".rodata", variable)
                .orElseThrow(() -> new BpfException("BPF object '" + name + "' has no const volatile variable '" + variable + "'"));
    }

    private MemorySegment rodata() {
        for (BpfMap m : maps.values()) {
            if (m.isInternal() && m.name().endsWith(".rodata")) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment size = a.allocate(ValueLayout.JAVA_LONG);
                    MemorySegment p = LibBpf.mapInitialValue(m.handle(), size);
                    if (Native.isNull(p)) {
                        throw new BpfException("no initial value for " + m.name());
                    }
                    return p.reinterpret(size.get(ValueLayout.JAVA_LONG, 0));
                }
            }
        }
        throw new BpfException("BPF object '" + name + "' has no .rodata section");
    }

    /**
     * Loads every program marked to load and creates the maps. On refusal the exception names the
     * program and carries the tail of the verifier log.
     */
    public synchronized void load() {
        ensureOpen();
        if (loaded) {
            throw new BpfException("BPF object '" + name + "' is already loaded");
        }
        StringBuilder log = new StringBuilder();
        int rc = LibBpfLog.capturing(log, () -> LibBpf.objectLoad(handle));
        if (rc != 0) {
            String text = log.toString();
            Matcher m = FAILED_PROGRAM.matcher(text);
            String program = m.find() ? m.group(1) : null;
            throw new ProgramLoadException(name, program, rc, verifierTail(text));
        }
        loaded = true;
    }

    /** The part of the captured libbpf output worth showing: the verifier log's end, or the last warnings. */
    static String verifierTail(String text) {
        int begin = text.lastIndexOf("-- BEGIN PROG LOAD LOG --");
        int end = text.lastIndexOf("-- END PROG LOAD LOG --");
        String body = begin < 0 ? text : text.substring(text.indexOf('\n', begin) + 1, end > begin ? end : text.length());
        // libbpf's own lines repeat what the exception already says; a log cut short has no END marker
        String verifier = body.lines().filter(l -> !l.startsWith("libbpf: ")).reduce((a, b) -> a + "\n" + b).orElse("");
        return lastLines(verifier.isBlank() ? body.strip() : verifier.strip(), 20);
    }

    private static String lastLines(String text, int n) {
        String[] lines = text.split("\n");
        int from = Math.max(0, lines.length - n);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }

    MemorySegment handle() {
        return handle;
    }

    /** Links register so that closing the object detaches whatever the caller left attached. */
    public void register(Link link) {
        links.add(link);
    }

    public void unregister(Link link) {
        links.remove(link);
    }

    /**
     * Detaches every link the object holds, keeping programs and maps: no program runs again after this returns
     * (bar one already running), so a reader can then drain a ring to its true end and read final counters.
     */
    public void detachAll() {
        List<Link> remaining;
        synchronized (links) {
            remaining = new ArrayList<>(links);
        }
        for (Link l : remaining) {
            l.close();
        }
    }

    public void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("BPF object '" + name + "' is closed");
        }
    }

    void ensureLoaded(String what) {
        ensureOpen();
        if (!loaded) {
            throw new BpfException(what + ": BPF object '" + name + "' is not loaded yet (call load() first)");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        detachAll();
        closed = true;
        LibBpf.objectClose(handle);
        arena.close();
    }

    @Override
    public String toString() {
        return "BpfObject[" + name + (closed ? ", closed" : loaded ? ", loaded" : ", opened") + "]";
    }
}

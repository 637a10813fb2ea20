package dev.vigil.ebpf.symbol;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JIT's symbol file, /tmp/perf-PID.map (written by perf-map-agent, async-profiler, the JVM's
 * -XX:+DumpPerfMapAtExit / jcmd Compiler.perfmap, node --perf-basic-prof): lines of
 * {@code START SIZE NAME} in hex. Code the JIT moved keeps its newest name: later lines win.
 */
public final class PerfMap {
    public static final PerfMap NONE = new PerfMap(SymbolTable.EMPTY);

    private final SymbolTable table;

    private PerfMap(SymbolTable table) {
        this.table = table;
    }

    public static Path pathFor(int pid) {
        return Path.of("/tmp/perf-" + pid + ".map");
    }

    /** The map of a process, or {@link #NONE} when it has none. */
    public static PerfMap of(int pid) {
        return load(pathFor(pid));
    }

    public static PerfMap load(Path file) {
        if (!Files.isRegularFile(file)) {
            return NONE;
        }
        List<SymbolTable.Symbol> symbols = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            while ((line = in.readLine()) != null) {
                int sp1 = line.indexOf(' ');
                int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
                if (sp2 < 0) {
                    continue;
                }
                try {
                    long start = Long.parseUnsignedLong(strip0x(line.substring(0, sp1)), 16);
                    long size = Long.parseUnsignedLong(strip0x(line.substring(sp1 + 1, sp2)), 16);
                    symbols.add(new SymbolTable.Symbol(start, size, line.substring(sp2 + 1)));
                } catch (NumberFormatException e) {
                    // not a symbol line
                }
            }
        } catch (IOException e) {
            return NONE;
        }
        return new PerfMap(new SymbolTable(newestPerAddress(symbols)));
    }

    /** SymbolTable keeps one symbol per address: hand it only the last line written for each. */
    private static List<SymbolTable.Symbol> newestPerAddress(List<SymbolTable.Symbol> inFileOrder) {
        Map<Long, SymbolTable.Symbol> byAddress = new HashMap<>();
        for (SymbolTable.Symbol s : inFileOrder) {
            byAddress.put(s.address(), s);
        }
        return new ArrayList<>(byAddress.values());
    }

    private static String strip0x(String s) {
        return s.startsWith("0x") ? s.substring(2) : s;
    }

    public int size() {
        return table.size();
    }

    public SymbolTable.Hit lookup(long address) {
        return table.lookup(address);
    }
}

package dev.vigil.ebpf.symbol;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernel text symbols from /proc/kallsyms (addresses are real only for root, or with
 * kernel.kptr_restrict=0; otherwise all read as zero and nothing resolves). Module symbols keep
 * their module name: {@code nf_hook_slow [nf_tables]} style names are left to the caller.
 */
public final class KernelSymbols {
    public static final Path KALLSYMS = Path.of("/proc/kallsyms");

    private final SymbolTable table;
    private final boolean hidden;

    private KernelSymbols(SymbolTable table, boolean hidden) {
        this.table = table;
        this.hidden = hidden;
    }

    public static KernelSymbols load() {
        return load(KALLSYMS);
    }

    /** Reads a kallsyms-format file; an unreadable file gives a table that resolves nothing. */
    public static KernelSymbols load(Path file) {
        List<SymbolTable.Symbol> symbols = new ArrayList<>(200_000);
        boolean anyAddress = false;
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            while ((line = in.readLine()) != null) {
                // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t foo\t[module]"
                int sp1 = line.indexOf(' ');
                int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
                if (sp1 != 16 || sp2 != sp1 + 2) {
                    continue;
                }
                char type = Character.toLowerCase(line.charAt(sp1 + 1));
                if (type != 't' && type != 'w') {
                    continue;
                }
                long address = Long.parseUnsignedLong(line, 0, sp1, 16);
                anyAddress |= address != 0;
                int tab = line.indexOf('\t', sp2 + 1);
                String name = tab < 0 ? line.substring(sp2 + 1) : line.substring(sp2 + 1, tab);
                symbols.add(new SymbolTable.Symbol(address, 0, name));
            }
        } catch (IOException | NumberFormatException e) {
            return new KernelSymbols(SymbolTable.EMPTY, true);
        }
        return new KernelSymbols(anyAddress ? new SymbolTable(symbols) : SymbolTable.EMPTY, !anyAddress);
    }

    /** True when kallsyms hid the addresses (not root, kptr_restrict): kernel frames stay unresolved. */
    public boolean hidden() {
        return hidden;
    }

    public int size() {
        return table.size();
    }

    public SymbolTable.Hit lookup(long address) {
        return table.lookup(address);
    }
}

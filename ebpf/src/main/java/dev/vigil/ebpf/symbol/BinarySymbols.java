package dev.vigil.ebpf.symbol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The function symbols of one mapped binary and its loadable segments. Stripped binaries are
 * completed, as gdb and perf do, from a separate debug file found by build id
 * ({@code ROOT/.build-id/ab/cdef....debug}, what Debian's -dbgsym packages install) and from the
 * embedded MiniDebugInfo (.gnu_debugdata, Fedora's).
 */
public final class BinarySymbols {
    public static final BinarySymbols NONE = new BinarySymbols(List.of(), SymbolTable.EMPTY, "");

    private final List<ElfFile.Segment> segments;
    private final SymbolTable table;
    private final String sources;

    private BinarySymbols(List<ElfFile.Segment> segments, SymbolTable table, String sources) {
        this.segments = segments;
        this.table = table;
        this.sources = sources;
    }

    /** Reads the binary; an unreadable or non-ELF file gives {@link #NONE}. */
    public static BinarySymbols load(Path file, List<Path> debugRoots) {
        ElfFile elf;
        try {
            elf = ElfFile.open(file);
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
        List<SymbolTable.Symbol> symbols = new ArrayList<>(elf.functionSymbols());
        StringBuilder sources = new StringBuilder(elf.hasSymtab() ? "symtab" : "dynsym");
        if (!elf.hasSymtab()) {
            Optional<String> id = elf.buildId();
            for (Path root : debugRoots) {
                if (id.isEmpty() || id.get().length() < 3) {
                    break;
                }
                Path debug = root.resolve(".build-id").resolve(id.get().substring(0, 2)).resolve(id.get().substring(2) + ".debug");
                if (Files.isRegularFile(debug)) {
                    try {
                        symbols.addAll(ElfFile.open(debug).functionSymbols());
                        sources.append("+build-id debug file");
                        break;
                    } catch (IOException | RuntimeException e) {
                        // a broken debug file: keep what the binary has
                    }
                }
            }
            elf.sectionBytes(".gnu_debugdata").flatMap(Xz::decompress).ifPresent(mini -> {
                try {
                    symbols.addAll(ElfFile.parse(mini).functionSymbols());
                    sources.append("+gnu_debugdata");
                } catch (RuntimeException e) {
                    // corrupt MiniDebugInfo: ignore it
                }
            });
        }
        return new BinarySymbols(elf.segments(), new SymbolTable(symbols), sources.toString());
    }

    /** Where the symbols came from, e.g. {@code dynsym+gnu_debugdata} (for -v output and tests). */
    public String sources() {
        return sources;
    }

    public int size() {
        return table.size();
    }

    /** Resolves an ELF virtual address (what the symbol tables hold). */
    public SymbolTable.Hit lookupVaddr(long vaddr) {
        return table.lookup(vaddr);
    }

    /** Resolves a file offset (what /proc/PID/maps gives: address - start + mapping offset). */
    public SymbolTable.Hit lookupFileOffset(long fileOffset) {
        for (ElfFile.Segment s : segments) {
            if (fileOffset >= s.offset() && fileOffset < s.offset() + s.fileSize()) {
                return table.lookup(fileOffset - s.offset() + s.vaddr());
            }
        }
        return null;
    }
}

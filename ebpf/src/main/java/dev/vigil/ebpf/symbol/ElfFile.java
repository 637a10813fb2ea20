package dev.vigil.ebpf.symbol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The parts of a 64-bit ELF file a symbolizer reads: section headers, loadable segments (to turn a
 * file offset into a virtual address), function symbols of .symtab and .dynsym, the GNU build id and
 * the .gnu_debugdata section (MiniDebugInfo: an xz-compressed ELF holding the stripped .symtab).
 */
public final class ElfFile {
    private static final int SHT_SYMTAB = 2;
    private static final int SHT_NOTE = 7;
    private static final int SHT_NOBITS = 8;
    private static final int SHT_DYNSYM = 11;
    private static final int PT_LOAD = 1;
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;
    private static final int NT_GNU_BUILD_ID = 3;
    private static final int ET_EXEC = 2;

    /** A loadable segment: bytes [offset, offset+fileSize) of the file appear at vaddr. */
    public record Segment(long offset, long vaddr, long fileSize, boolean executable) {}

    record Section(String name, int type, long addr, long offset, long size, int link, long entSize) {}

    private final ByteBuffer data;
    private final int elfType;
    private final List<Section> sections = new ArrayList<>();
    private final List<Segment> segments = new ArrayList<>();

    private ElfFile(ByteBuffer data) {
        this.data = data.order(ByteOrder.LITTLE_ENDIAN);
        if (data.limit() < 64 || data.getInt(0) != 0x464c457f) {
            throw new IllegalArgumentException("not an ELF file");
        }
        if (data.get(4) != 2 || data.get(5) != 1) {
            throw new IllegalArgumentException("not a 64-bit little-endian ELF file");
        }
        elfType = Short.toUnsignedInt(data.getShort(16));
        long phoff = data.getLong(32);
        long shoff = data.getLong(40);
        int phentsize = Short.toUnsignedInt(data.getShort(54));
        int phnum = Short.toUnsignedInt(data.getShort(56));
        int shentsize = Short.toUnsignedInt(data.getShort(58));
        int shnum = Short.toUnsignedInt(data.getShort(60));
        int shstrndx = Short.toUnsignedInt(data.getShort(62));
        for (int i = 0; i < phnum; i++) {
            int at = checked(phoff + (long) i * phentsize, 56);
            if (data.getInt(at) == PT_LOAD) {
                int flags = data.getInt(at + 4);
                segments.add(new Segment(data.getLong(at + 8), data.getLong(at + 16), data.getLong(at + 32), (flags & 1) != 0));
            }
        }
        List<long[]> raw = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            int at = checked(shoff + (long) i * shentsize, 64);
            raw.add(new long[] {Integer.toUnsignedLong(data.getInt(at)), data.getInt(at + 4), data.getLong(at + 16),
                data.getLong(at + 24), data.getLong(at + 32), data.getInt(at + 40), data.getLong(at + 56)});
        }
        long strOff = shstrndx < raw.size() ? raw.get(shstrndx)[3] : -1;
        for (long[] s : raw) {
            String name = strOff < 0 ? "" : string(strOff + s[0]);
            sections.add(new Section(name, (int) s[1], s[2], s[3], s[4], (int) s[5], s[6]));
        }
    }

    /** Maps the file read-only (the mapping lives as long as the returned object is reachable). */
    public static ElfFile open(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return new ElfFile(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IOException(path + ": " + e.getMessage());
        }
    }

    public static ElfFile parse(byte[] bytes) {
        try {
            return new ElfFile(ByteBuffer.wrap(bytes));
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated ELF file");
        }
    }

    /** Position-dependent executables map at their link addresses; shared objects and PIEs anywhere. */
    public boolean isFixedAddress() {
        return elfType == ET_EXEC;
    }

    public List<Segment> segments() {
        return List.copyOf(segments);
    }

    /** The virtual address of a file offset, or -1 when no loadable segment holds it. */
    public long vaddrOfFileOffset(long fileOffset) {
        for (Segment s : segments) {
            if (fileOffset >= s.offset() && fileOffset < s.offset() + s.fileSize()) {
                return fileOffset - s.offset() + s.vaddr();
            }
        }
        return -1;
    }

    /** The file offset a virtual address is loaded from, or -1 (uprobes attach by file offset). */
    public long fileOffsetOfVaddr(long vaddr) {
        for (Segment s : segments) {
            if (vaddr >= s.vaddr() && vaddr < s.vaddr() + s.fileSize()) {
                return vaddr - s.vaddr() + s.offset();
            }
        }
        return -1;
    }

    public boolean hasSection(String name) {
        return section(name).isPresent();
    }

    /** Whether the full symbol table (not only the dynamic one) is present. */
    public boolean hasSymtab() {
        return sections.stream().anyMatch(s -> s.type() == SHT_SYMTAB);
    }

    /** The GNU build id as lower-case hex, when the file has one. */
    public Optional<String> buildId() {
        for (Section s : sections) {
            if (s.type() != SHT_NOTE) {
                continue;
            }
            long at = s.offset();
            long end = s.offset() + s.size();
            while (at + 12 <= end) {
                int namesz = data.getInt(checked(at, 12));
                int descsz = data.getInt((int) at + 4);
                int type = data.getInt((int) at + 8);
                long name = at + 12;
                long desc = name + align4(namesz);
                if (type == NT_GNU_BUILD_ID && namesz == 4 && data.getInt(checked(name, 4)) == 0x00554e47 /* "GNU\0" */) {
                    byte[] id = new byte[descsz];
                    data.get(checked(desc, descsz), id);
                    return Optional.of(HexFormat.of().formatHex(id));
                }
                at = desc + align4(descsz);
            }
        }
        return Optional.empty();
    }

    /** The raw bytes of a section (e.g. .gnu_debugdata), when present and stored in the file. */
    public Optional<byte[]> sectionBytes(String name) {
        return section(name).filter(s -> s.type() != SHT_NOBITS).map(s -> {
            byte[] b = new byte[Math.toIntExact(s.size())];
            data.get(checked(s.offset(), b.length), b);
            return b;
        });
    }

    /** Function symbols (STT_FUNC, IFUNC) with an address, from .symtab and .dynsym, in no order. */
    public List<SymbolTable.Symbol> functionSymbols() {
        List<SymbolTable.Symbol> out = new ArrayList<>();
        for (Section s : sections) {
            if ((s.type() != SHT_SYMTAB && s.type() != SHT_DYNSYM) || s.entSize() < 24 || s.link() >= sections.size()) {
                continue;
            }
            long strtab = sections.get(s.link()).offset();
            long count = s.size() / s.entSize();
            for (long i = 0; i < count; i++) {
                int at = checked(s.offset() + i * s.entSize(), 24);
                int kind = data.get(at + 4) & 0xf;
                int shndx = Short.toUnsignedInt(data.getShort(at + 6));
                long value = data.getLong(at + 8);
                if ((kind == STT_FUNC || kind == STT_GNU_IFUNC) && shndx != 0 && value != 0) {
                    out.add(new SymbolTable.Symbol(value, data.getLong(at + 16), string(strtab + Integer.toUnsignedLong(data.getInt(at)))));
                }
            }
        }
        return out;
    }

    private Optional<Section> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    private String string(long offset) {
        int start = checked(offset, 0);
        int end = start;
        while (end < data.limit() && data.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - start];
        data.get(start, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private int checked(long offset, int length) {
        if (offset < 0 || offset + length > data.limit()) {
            throw new IndexOutOfBoundsException("ELF offset " + offset + " past the end of the file");
        }
        return (int) offset;
    }

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }
}

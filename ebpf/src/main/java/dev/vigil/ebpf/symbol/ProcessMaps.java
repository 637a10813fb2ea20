package dev.vigil.ebpf.symbol;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A snapshot of /proc/PID/maps: which file (and which offset of it) each address range maps. */
public final class ProcessMaps {
    /** One mapping; {@code path} is empty for anonymous memory and bracketed for [heap], [vdso] and so on. */
    public record Mapping(long start, long end, long offset, long inode, String path) {
        public boolean isFile() {
            return inode != 0 && path.startsWith("/");
        }
    }

    public static final ProcessMaps NONE = new ProcessMaps(List.of());

    private final List<Mapping> mappings;

    ProcessMaps(List<Mapping> mappings) {
        this.mappings = mappings;
    }

    /** The process's maps now; an exited process gives {@link #NONE}. */
    public static ProcessMaps of(int pid) {
        try (BufferedReader in = Files.newBufferedReader(Path.of("/proc", Integer.toString(pid), "maps"))) {
            return parse(in);
        } catch (IOException e) {
            return NONE;
        }
    }

    static ProcessMaps parse(Reader reader) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        List<Mapping> out = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            // 7f1c2a000000-7f1c2a022000 r-xp 00022000 fd:01 1234567   /usr/lib/x86_64-linux-gnu/libc.so.6
            String[] f = line.split("\\s+", 6);
            if (f.length < 5) {
                continue;
            }
            int dash = f[0].indexOf('-');
            try {
                long start = Long.parseUnsignedLong(f[0], 0, dash, 16);
                long end = Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16);
                long offset = Long.parseUnsignedLong(f[2], 16);
                long inode = Long.parseLong(f[4]);
                String path = f.length == 6 ? f[5].strip() : "";
                if (path.endsWith(" (deleted)")) {
                    path = path.substring(0, path.length() - " (deleted)".length());
                }
                out.add(new Mapping(start, end, offset, inode, path));
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                // a line this parser does not know: skip it
            }
        }
        out.sort((a, b) -> Long.compareUnsigned(a.start(), b.start())); // the kernel's order already; find() relies on it
        return new ProcessMaps(List.copyOf(out));
    }

    public List<Mapping> mappings() {
        return mappings;
    }

    /** The mapping holding the address, or null. */
    public Mapping find(long address) {
        int lo = 0;
        int hi = mappings.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Mapping m = mappings.get(mid);
            if (Long.compareUnsigned(address, m.start()) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(address, m.end()) >= 0) {
                lo = mid + 1;
            } else {
                return m;
            }
        }
        return null;
    }
}

package dev.vigil.tools.uprobe;

import dev.vigil.ebpf.symbol.ProcessMaps;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finding the ELF file a uprobe goes on, as libbpf-tools' uprobe helpers do: a path as given; a library by
 * short name ("c", "libc", "libc.so.6") as mapped into -p PID, else on the library path; a program on PATH.
 */
public final class UserBinaries {
    private static final List<Path> LIBRARY_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"), Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"), Path.of("/usr/lib"), Path.of("/usr/local/lib"));

    private UserBinaries() {}

    /** A library or program by name or path; {@code pid} (or null) is looked at first. One-line errors. */
    public static Path find(String name, Integer pid) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            if (!isElf(p)) {
                throw new IllegalArgumentException(name + ": not an ELF file");
            }
            return p;
        }
        if (pid != null) {
            Path mapped = mappedLibrary(name, pid);
            if (mapped != null) {
                return mapped;
            }
        }
        List<Path> dirs = new ArrayList<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isEmpty()) dirs.add(Path.of(d));
            }
        }
        dirs.addAll(LIBRARY_DIRS);
        for (Path dir : dirs) {
            Path lib = libraryIn(dir, name);
            if (lib != null) {
                return lib;
            }
        }
        String path = System.getenv("PATH");
        for (String d : (path == null ? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" : path).split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p) && isElf(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no library or program '" + name + "'"
                + (pid != null ? " mapped into pid " + pid + "," : "") + " on the library path or on PATH");
    }

    /** The executable of a running process (the {@code :FUNC} form). */
    public static Path executable(int pid) {
        Path exe = Path.of("/proc", Integer.toString(pid), "exe");
        if (!Files.exists(exe)) {
            throw new IllegalArgumentException("-p " + pid + ": no such process");
        }
        return exe;
    }

    static boolean matches(String fileName, String name) {
        return fileName.equals(name) || fileName.startsWith("lib" + name + ".so") || fileName.startsWith(name + ".so")
                || (name.startsWith("lib") && fileName.startsWith(name + ".so"));
    }

    private static Path mappedLibrary(String name, int pid) {
        for (ProcessMaps.Mapping m : ProcessMaps.of(pid).mappings()) {
            if (m.isFile()) {
                Path p = Path.of(m.path());
                if (p.getFileName() != null && matches(p.getFileName().toString(), name)) {
                    Path inRoot = Path.of("/proc", Integer.toString(pid), "root").resolve(m.path().substring(1));
                    return Files.exists(p) ? p : inRoot; // a container's file through its root
                }
            }
        }
        return null;
    }

    private static Path libraryIn(Path dir, String name) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> matches(p.getFileName().toString(), name))
                    .filter(UserBinaries::isElf) // libc.so in -dev packages is a linker script
                    .sorted().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    static boolean isElf(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }
}

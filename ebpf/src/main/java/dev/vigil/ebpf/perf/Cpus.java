package dev.vigil.ebpf.perf;

import dev.vigil.ebpf.BpfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CPU lists the kernel publishes under /sys/devices/system/cpu (e.g. {@code 0-3,6}). */
public final class Cpus {
    private static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

    private Cpus() {}

    /** CPUs that are online now: one perf event per CPU is opened on each. */
    public static List<Integer> online() {
        try {
            return parseList(Files.readString(ONLINE));
        } catch (IOException e) {
            throw new BpfException("cannot read " + ONLINE + ": " + e.getMessage());
        }
    }

    /** Parses the kernel's cpulist format: comma-separated numbers and inclusive ranges. */
    public static List<Integer> parseList(String text) {
        List<Integer> cpus = new ArrayList<>();
        for (String part : text.strip().split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            try {
                int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
                for (int c = from; c <= to; c++) {
                    cpus.add(c);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad CPU list '" + text.strip() + "'");
            }
        }
        return cpus;
    }
}

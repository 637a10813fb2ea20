package dev.vigil.ebpf;

import dev.vigil.ebpf.internal.LibBpf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Checks, before anything is loaded, what an eBPF tool needs from the machine, and says exactly what
 * is missing and how to fix it. Mounts tracefs when it is absent (as libbpf-tools users expect it to
 * just work as root).
 */
public final class Preflight {
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;
    static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");

    /** An environment problem: one line for the user, exit status 2. */
    public static final class EnvironmentException extends BpfException {
        public EnvironmentException(String message) {
            super(message);
        }
    }

    private Preflight() {}

    /** Privileges, libbpf, kernel BTF; tracefs too when {@code needsTracefs}. */
    public static void check(boolean needsTracefs) {
        requirePrivileges();
        requireLibbpf();
        requireBtf();
        if (needsTracefs) {
            ensureTracefs();
        }
    }

    public static void requirePrivileges() {
        long caps = effectiveCapabilities();
        boolean ok = has(caps, CAP_SYS_ADMIN) || (has(caps, CAP_BPF) && has(caps, CAP_PERFMON));
        if (!ok) {
            throw new EnvironmentException("insufficient privileges: loading eBPF programs needs root "
                    + "(or CAP_BPF and CAP_PERFMON); run it with sudo");
        }
    }

    public static void requireLibbpf() {
        LibBpf.ensureAvailable();
    }

    public static void requireBtf() {
        if (!Files.isReadable(VMLINUX_BTF)) {
            throw new EnvironmentException("kernel BTF is missing (" + VMLINUX_BTF + "): Vigil needs a kernel "
                    + "built with CONFIG_DEBUG_INFO_BTF=y");
        }
    }

    /** Mounts tracefs at /sys/kernel/tracing if it is not there. */
    public static void ensureTracefs() {
        if (Files.isDirectory(TRACEFS.resolve("events"))) {
            return;
        }
        String error = run("mount", "-t", "tracefs", "tracefs", TRACEFS.toString());
        if (!Files.isDirectory(TRACEFS.resolve("events"))) {
            throw new EnvironmentException("tracefs is not mounted at " + TRACEFS + " and mounting it failed"
                    + (error.isEmpty() ? "" : " (" + error + ")") + "; mount it with: mount -t tracefs tracefs " + TRACEFS);
        }
    }

    static long effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: unknown means no capabilities
        }
        return 0;
    }

    private static boolean has(long caps, int cap) {
        return (caps & (1L << cap)) != 0;
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? "" : out;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}

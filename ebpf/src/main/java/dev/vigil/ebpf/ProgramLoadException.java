package dev.vigil.ebpf;

/** The kernel refused to load a program: names the program and carries the tail of the verifier log. */
public final class ProgramLoadException extends BpfException {
    private final String objectName;
    private final String programName;
    private final String verifierLog;

    public ProgramLoadException(String objectName, String programName, int errno, String verifierLog) {
        super(message(objectName, programName, errno, verifierLog), errno);
        this.objectName = objectName;
        this.programName = programName;
        this.verifierLog = verifierLog;
    }

    private static String message(String objectName, String programName, int errno, String log) {
        StringBuilder sb = new StringBuilder("loading BPF object '").append(objectName).append('\'');
        if (programName != null) {
            sb.append(": the kernel refused program '").append(programName).append('\'');
        }
        if (errno == 1 || errno == -1) {
            sb.append(" (EPERM: not root, missing CAP_BPF/CAP_PERFMON, or this program type is blocked on this kernel)");
        }
        if (log != null && !log.isBlank()) {
            sb.append("\nverifier log (tail):\n").append(log.strip());
        }
        return sb.toString();
    }

    public String objectName() {
        return objectName;
    }

    /** The program the kernel refused, or null when libbpf failed before any program (e.g. maps, BTF). */
    public String programName() {
        return programName;
    }

    public String verifierLog() {
        return verifierLog;
    }
}

package dev.vigil.enforce;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test programs compiled by the test (gcc, static, so they also run in a busybox container): {@code marker PATH}
 * creates PATH and writes "ran" to it as its first action, so "it never ran" is checkable.
 */
public final class TestBinaries {
    private TestBinaries() {}

    static final String MARKER_C = """
            #include <fcntl.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                if (argc < 2) return 2;
                int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd < 0) return 3;
                if (write(fd, "ran\\n", 4) != 4) return 4;
                return close(fd) == 0 ? 0 : 5;
            }
            """;

    /** Opens MARKER first (so "it never got past the call" is an empty file), then writes what the call returned. */
    private static final String REPORT_C = """
            #include <errno.h>
            #include <fcntl.h>
            #include <signal.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <unistd.h>
            #include <sys/prctl.h>
            #include <sys/ptrace.h>
            #include <sys/syscall.h>
            #include <sys/wait.h>
            #include <linux/bpf.h>
            static int marker;
            static void report(long r, const char *ok) {
                char buf[64];
                int n = r >= 0 ? snprintf(buf, sizeof buf, "%s\\n", ok) : snprintf(buf, sizeof buf, "errno %d\\n", errno);
                if (write(marker, buf, n) != n) exit(4);
            }
            """;

    /** {@code tracer MARKER [PID]}: PTRACE_ATTACH to PID, or to a child of its own (which dies with it). */
    public static final String TRACER_C = REPORT_C + """
            int main(int argc, char **argv) {
                if (argc < 2 || (marker = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) return 3;
                pid_t pid = argc > 2 ? atoi(argv[2]) : fork();
                if (pid == 0) { prctl(PR_SET_PDEATHSIG, SIGKILL); pause(); _exit(0); }
                long r = ptrace(PTRACE_ATTACH, pid, 0, 0);
                report(r, "attached");
                if (r == 0) { waitpid(pid, 0, __WALL); ptrace(PTRACE_DETACH, pid, 0, 0); }
                if (argc <= 2) { kill(pid, SIGKILL); waitpid(pid, 0, 0); }
                return 0;
            }
            """;

    /** {@code setuider MARKER}: as root, drops to uid 65534 keeping root as the saved uid, then takes euid 0 back. */
    public static final String SETUIDER_C = REPORT_C + """
            int main(int argc, char **argv) {
                if (argc < 2 || (marker = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) return 3;
                if (setresuid(65534, 65534, 0) != 0) return 5;
                report(setresuid(-1, 0, -1), "euid 0");
                return 0;
            }
            """;

    /** {@code bpfloader MARKER}: loads a two-instruction socket filter. */
    public static final String BPFLOADER_C = REPORT_C + """
            int main(int argc, char **argv) {
                if (argc < 2 || (marker = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) return 3;
                struct bpf_insn insns[2] = {{.code = BPF_ALU64 | BPF_MOV | BPF_K}, {.code = BPF_JMP | BPF_EXIT}};
                union bpf_attr attr;
                memset(&attr, 0, sizeof attr);
                attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
                attr.insn_cnt = 2;
                attr.insns = (unsigned long) insns;
                attr.license = (unsigned long) "GPL";
                report(syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr), "loaded");
                return 0;
            }
            """;

    /** {@code modloader MARKER FILE.ko}: finit_module of the file. */
    public static final String MODLOADER_C = REPORT_C + """
            int main(int argc, char **argv) {
                if (argc < 3 || (marker = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) return 3;
                int fd = open(argv[2], O_RDONLY);
                if (fd < 0) return 5;
                report(syscall(SYS_finit_module, fd, "", 0), "loaded");
                return 0;
            }
            """;

    /** {@code memfdrun BINARY ARGS...}: copies BINARY into a memfd named "vigil-memfd" and runs it from there (fexecve). */
    public static final String MEMFD_RUN_C = """
            #define _GNU_SOURCE
            #include <fcntl.h>
            #include <stdio.h>
            #include <sys/mman.h>
            #include <sys/sendfile.h>
            #include <sys/stat.h>
            #include <unistd.h>
            extern char **environ;
            int main(int argc, char **argv) {
                if (argc < 2) return 2;
                int in = open(argv[1], O_RDONLY), fd = memfd_create("vigil-memfd", 0);
                struct stat st;
                if (in < 0 || fd < 0 || fstat(in, &st) != 0) return 3;
                if (sendfile(fd, in, 0, st.st_size) != st.st_size) return 4;
                fexecve(fd, argv + 1, environ);
                perror("fexecve");
                return 5;
            }
            """;

    /** Compiles the marker program into dir/name. */
    public static Path marker(Path dir, String name) throws IOException, InterruptedException {
        return compile(dir, name, MARKER_C);
    }

    /** Compiles a C program (static) into dir/name. */
    public static Path compile(Path dir, String name, String source) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path src = dir.resolve(name + ".c");
        Files.writeString(src, source);
        Path out = dir.resolve(name);
        run(List.of("gcc", "-static", "-O1", "-o", out.toString(), src.toString()));
        Files.delete(src);
        return out;
    }

    public static int run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        if (p.exitValue() != 0) throw new IOException(cmd + " failed (" + p.exitValue() + "): " + out);
        return p.exitValue();
    }

    /** Runs a command and returns its exit status (128+N when a signal N ended it, as a shell reports it). */
    public static int status(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        return p.exitValue();
    }
}

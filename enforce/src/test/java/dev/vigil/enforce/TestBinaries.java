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

    /** Compiles the marker program into dir/name. */
    public static Path marker(Path dir, String name) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path src = dir.resolve(name + ".c");
        Files.writeString(src, MARKER_C);
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

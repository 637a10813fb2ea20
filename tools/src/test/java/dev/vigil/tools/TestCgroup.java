package dev.vigil.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A private cgroup v2 directory for filter tests: commands run inside it; removed on close. */
public final class TestCgroup implements AutoCloseable {
    public final Path dir;

    public TestCgroup() throws IOException {
        Path v2 = Files.isDirectory(Path.of("/sys/fs/cgroup/unified")) ? Path.of("/sys/fs/cgroup/unified") : Path.of("/sys/fs/cgroup");
        dir = Files.createDirectory(v2.resolve("vigil-test-" + UUID.randomUUID()));
    }

    /** Runs the command inside this cgroup (it moves itself in before exec) and waits; returns its pid. */
    public int run(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "echo $$ > '" + dir.resolve("cgroup.procs") + "' && exec \"$@\"", "sh"));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return (int) p.pid();
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(dir); // empty once its processes exited
    }
}

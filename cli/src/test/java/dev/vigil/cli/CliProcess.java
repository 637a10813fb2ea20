package dev.vigil.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real CLI in a child JVM, as a user would, with this test's class path. */
final class CliProcess {
    final Process process;
    final Path stdout;
    final Path stderr;

    /** Started here and maybe still running: a test that fails before it stops its agent must not leave it attached. */
    private static final java.util.Set<Process> STARTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(p -> {
            if (p.isAlive()) p.destroyForcibly();
        })));
    }

    private CliProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        STARTED.add(process);
        process.onExit().thenRun(() -> STARTED.remove(process));
    }

    static List<String> javaCommand(String classPath, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(Vigil.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    static CliProcess start(String... args) throws IOException {
        return start(javaCommand(System.getProperty("java.class.path"), args));
    }

    static CliProcess start(List<String> command) throws IOException {
        return start(java.util.Map.of(), command);
    }

    /** With extra environment variables (e.g. DOCKER_HOST). */
    static CliProcess start(java.util.Map<String, String> env, List<String> command) throws IOException {
        Path out = Files.createTempFile("vigil-cli", ".out");
        Path err = Files.createTempFile("vigil-cli", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        return new CliProcess(pb.start(), out, err);
    }

    int waitFor(long seconds) throws InterruptedException, IOException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("vigil did not exit within " + seconds + " s; stderr: " + err());
        }
        return process.exitValue();
    }

    String out() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String err() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** BPF links this process holds (from /proc/PID/fdinfo: exact, unlike a global listing shared with other tests). */
    int links() {
        int n = 0;
        try (var fds = Files.list(Path.of("/proc/" + process.pid() + "/fdinfo"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readString(fd).contains("link_id:")) {
                        n++;
                    }
                } catch (IOException closedMeanwhile) {
                    // the fd went away between list and read
                }
            }
        } catch (IOException gone) {
            return 0;
        }
        return n;
    }

    /** Waits until the tool holds {@code expected} links (all attached: its output follows). */
    CliProcess awaitLinks(int expected) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (links() < expected) {
            if (!process.isAlive()) {
                throw new AssertionError("vigil exited early (" + process.exitValue() + "): " + err());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("vigil never held " + expected + " links (" + links() + "); stderr: " + err());
            }
            Thread.sleep(20);
        }
        return this;
    }

    /** Waits until stdout contains the text (within 10 s); returns stdout. */
    String awaitOut(String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String out = out();
        while (!out.contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            out = out();
        }
        return out;
    }

    void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }
}

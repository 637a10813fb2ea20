package dev.vigil.cli;

import dev.vigil.containers.ContainerResolver;
import dev.vigil.sensor.CaptureWriter;
import dev.vigil.sensor.Selection;
import dev.vigil.sensor.Sensor;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training run behind bin/vigil's AOT cache (JEP 483/514/515): run once under -XX:AOTCacheOutput, it
 * captures the machine's own syscalls through the real reader, decoder, process table and capture writer,
 * under both syscall hooks, while it floods them with the records a busy host makes (close, failing opens,
 * stat, connect, fork+exec). The cache then holds those classes loaded and linked and the methods' profiles,
 * so the next JVM's JIT compiles the reader at once instead of while the first flood fills the ring.
 * Needs root and the kernel's BPF support, as capture does; exits 1 (and no cache is written) without them.
 */
public final class AotTraining {
    private AotTraining() { }

    public static void main(String[] args) throws Throwable {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.5;
        Path dir = Files.createTempDirectory("vigil-aot-training");
        try {
            // AUTO is one of these two on any kernel
            for (Sensor.SyscallHook hook : List.of(Sensor.SyscallHook.TRACEPOINTS, Sensor.SyscallHook.RAW)) {
                train(hook, dir, (long) (seconds * 1e9));
            }
            trainAgent(dir);
            trainTools(dir);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void train(Sensor.SyscallHook hook, Path dir, long nanos) throws Exception {
        Selection selection = Selection.parse("all");
        Path file = dir.resolve("training.vcap");
        try (Sensor sensor = Sensor.start(selection, Sensor.Options.defaults().withSyscallHook(hook)
                .withContainers(ContainerResolver.identityOnly()))) {
            CaptureWriter writer = CaptureWriter.create(file, CaptureWriter.Meta.now(selection), sensor.processTable());
            sensor.setDropListener(r -> writer.writeDrops(r.total(), r.newDrops()));
            Thread load = Thread.ofPlatform().daemon().name("aot-training-load").start(() -> {
                try {
                    workload(dir, nanos);
                } catch (Throwable e) {
                    System.err.println("vigil aot training: workload: " + e);
                } finally {
                    sensor.stop();
                }
            });
            try {
                sensor.run(writer::write, writer::flushIfDue);
            } finally {
                writer.close();
                load.join();
            }
        }
    }

    /**
     * The agent's path, as bin/vigil starts it (issue #17: start to healthy, and the pass after it): the
     * configuration, the bundled rules parsed and compiled, the web server, the sensor's attach, then the reader
     * through the process table, the rules, the correlations and the outputs while the workload runs. Its start is
     * mostly class loading and linking and the first runs of the YAML and rule compilers, which the cache then
     * holds; the reader's profiles let C2 compile it once, with the branches a mixed host takes, instead of
     * recompiling it at each record kind first seen. Runs 3 s of workload once /healthz answers, then stops on SIGTERM.
     */
    private static void trainAgent(Path dir) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Thread load = Thread.ofPlatform().daemon().name("aot-training-agent-load").start(() -> {
            try {
                if (!healthyWithin(port, 60_000)) return; // the run failed to start: it has ended by itself
                workload(dir, 3_000_000_000L);
                sun.misc.Signal.raise(new sun.misc.Signal("TERM")); // as a service manager stops it
            } catch (Throwable e) {
                System.err.println("vigil aot training: workload: " + e);
            }
        });
        // -M: a bound in case the signal is never sent
        int rc = Vigil.execute("run", "-M", "120", "-o", "stdout_output.enabled=false", "-o", "webserver.listen_port=" + port,
                "-o", "watch_config_files=false");
        load.join();
        // a configuration that does not start (the user's own file) still leaves the sensor's and tools' training
        if (rc != 0) System.err.println("vigil aot training: the agent's run ended with status " + rc);
    }

    private static boolean healthyWithin(int port, long ms) throws InterruptedException {
        long end = System.nanoTime() + ms * 1_000_000L;
        while (System.nanoTime() < end) {
            try {
                var c = (java.net.HttpURLConnection) java.net.URI.create("http://127.0.0.1:" + port + "/healthz").toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(500);
                if (c.getResponseCode() == 200) return true;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        return false;
    }

    /**
     * The tools' path, as a user calls it: the command line, the tool harness's load and attach, and a printer
     * fed by the workload. Most of a tool's launch is linking (FFM downcalls, picocli, the printer), which the
     * cache then holds (issue #11: launch to first event). Output goes where bin/vigil sends the training's.
     */
    private static void trainTools(Path dir) throws Exception {
        for (String[] call : List.of(new String[] {"opensnoop", "-d", "1"}, new String[] {"syscount", "-d", "1"})) {
            Thread load = Thread.ofPlatform().daemon().name("aot-training-tool-load").start(() -> {
                try {
                    workload(dir, 1_500_000_000L);
                } catch (Throwable e) {
                    System.err.println("vigil aot training: workload: " + e);
                }
            });
            Vigil.execute(call);
            load.join();
        }
    }

    /** A host's syscall mix, heavy in the cheap captured ones a flood is made of. */
    private static void workload(Path dir, long nanos) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        Path real = Files.writeString(dir.resolve("real"), "vigil");
        Path missing = dir.resolve("missing");
        try (ServerSocket listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
            Thread accept = Thread.ofPlatform().daemon().start(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        s.setSoLinger(true, 0);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            long end = System.nanoTime() + nanos;
            for (int round = 0; System.nanoTime() < end; round++) {
                for (int i = 0; i < 4096; i++) { int ignored = (int) close.invokeExact(-1); }
                for (int i = 0; i < 64; i++) {
                    try (FileInputStream in = new FileInputStream(missing.toFile())) {
                        in.read();
                    } catch (IOException expected) { /* ENOENT: the failing open is the point */ }
                }
                for (int i = 0; i < 16; i++) Files.exists(real);
                try (FileInputStream in = new FileInputStream(real.toFile())) {
                    in.read();
                }
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                    s.setSoLinger(true, 0);
                }
                if (round % 32 == 0) new ProcessBuilder("/bin/true").start().waitFor();
            }
            listener.close();
            accept.join();
        }
    }
}

package dev.vigil.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.events.Event;
import dev.vigil.events.EventType;
import dev.vigil.events.ProcessView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A running sensor collecting snapshots of the events made by this JVM's descendants. */
final class SensorHarness implements AutoCloseable {
    static final long JVM = ProcessHandle.current().pid();
    final Sensor sensor;
    final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
    final Thread thread;
    /** Off between the classes that share one sensor: the churn test's 100,000 processes must not pile up here. */
    private volatile boolean collecting = true;
    /** Called on the reader thread with each live event of a descendant, before its snapshot is kept. */
    volatile java.util.function.Consumer<SensorEvent> inspector;

    SensorHarness(Selection selection, Sensor.Options options) {
        sensor = Sensor.start(selection, options);
        thread = Thread.ofPlatform().name("sensor-reader").start(() -> sensor.run(ev -> {
            if (collecting && descendant(ev.process())) {
                java.util.function.Consumer<SensorEvent> i = inspector;
                if (i != null) i.accept(ev);
                events.add(ev.snapshot());
            }
        }));
    }

    /** The per-syscall tracepoints, pinned (not AUTO, which is the raw hook on this kernel): SensorRawHookTest compares the two. */
    SensorHarness(Selection selection) {
        this(selection, Sensor.Options.defaults().withSyscallHook(Sensor.SyscallHook.TRACEPOINTS));
    }

    static boolean descendant(ProcessView p) {
        for (int i = 0; i < 64 && p != null; i++) {
            if (p.ppid() == JVM) return true;
            p = p.parent();
        }
        return false;
    }

    Event await(Predicate<Event> p) throws InterruptedException {
        return await(p, 5);
    }

    /** As {@link #await(Predicate)}, for readers slowed by what the test does on the reader thread. */
    Event await(Predicate<Event> p, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Optional<Event> e = events.stream().filter(p).findFirst();
            if (e.isPresent()) return e.get();
            Thread.sleep(5);
        }
        throw new AssertionError("no such event; saw " + events.size() + ":\n" + dump());
    }

    String dump() {
        StringBuilder sb = new StringBuilder();
        events.forEach(e -> sb.append(e).append(" pid=").append(e.process() == null ? -1 : e.process().pid())
                .append(" fd=").append(e.fd() == null ? "-" : e.fd().name()).append('\n'));
        return sb.toString();
    }

    static Event.Builder none() { return null; }

    private static SensorHarness shared;
    private boolean isShared;

    /**
     * One sensor with every event type, shared by the test classes that need no other selection: starting one
     * costs ~0.5 s, and detaching its ~70 syscall tracepoints several seconds (each waits for an RCU grace
     * period). Closed when the test JVM exits; {@link #close()} on it does nothing. Call it once per class.
     */
    static synchronized SensorHarness shared() {
        if (shared == null) {
            SensorHarness h = new SensorHarness(Selection.all());
            h.isShared = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    h.closeNow();
                } catch (InterruptedException ignored) {
                    // exiting anyway: the kernel detaches what the process held
                }
            }));
            shared = h;
        }
        // each class starts afresh: pids wrap (the churn test alone makes 100,000 processes), and an old
        // event of a reused pid must not answer a new test's await
        shared.events.clear();
        shared.collecting = true;
        return shared;
    }

    /** The class that called {@link #shared()} is done: collect nothing until the next one asks. */
    static synchronized void releaseShared() {
        if (shared != null) {
            shared.collecting = false;
            shared.events.clear();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (!isShared) closeNow();
    }

    private void closeNow() throws InterruptedException {
        sensor.stop();
        thread.join(5000);
        sensor.close();
    }

    // --- helper binary ---

    private static Path helper;

    static synchronized Path helper() throws IOException, InterruptedException {
        if (helper == null) {
            Path out = Path.of("target", "sensor_helper").toAbsolutePath();
            Files.createDirectories(out.getParent());
            Process p = new ProcessBuilder("cc", "-O1", "-o", out.toString(), "src/test/c/sensor_helper.c")
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as("cc: " + log).isZero();
            helper = out;
        }
        return helper;
    }

    record Run(long pid, String out) {
        List<String> lines() { return out.lines().toList(); }
    }

    static Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(helper().toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new Run(p.pid(), out);
    }

    static boolean is(Event e, EventType t, long pid) {
        return e.type() == t && e.process() != null && e.process().pid() == pid;
    }
}

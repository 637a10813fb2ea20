package dev.vigil.cli;

import dev.vigil.containers.ContainerResolver;
import dev.vigil.ebpf.internal.LibBpfLog;
import dev.vigil.events.EventType;
import dev.vigil.sensor.CaptureWriter;
import dev.vigil.sensor.Selection;
import dev.vigil.sensor.Sensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Records the sensor's decoded event stream, with the process table's starting snapshot, to a capture file. */
@Command(name = "capture", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Record the sensor's events to a compressed capture file (read it with 'vigil replay').", "",
            "Examples:",
            "  vigil capture -w out.vcap                    # every event the sensor knows, until Ctrl-C",
            "  vigil capture -w out.vcap --duration 10      # for ten seconds",
            "  vigil capture -w out.vcap --events execve,openat,connect"})
final class CaptureCommand implements Callable<Integer> {
    @Option(names = {"-w", "--write"}, paramLabel = "FILE", required = true, description = "The capture file to write.")
    Path file;

    @Option(names = "--duration", paramLabel = "S", description = "Stop after S seconds (default: until SIGINT/SIGTERM).")
    Double duration;

    @Option(names = "--events", paramLabel = "LIST", defaultValue = "all",
            description = "Comma-separated Falco event type names, or 'all' (default).")
    String events;

    @Option(names = "--docker-socket", paramLabel = "PATH", defaultValue = "/var/run/docker.sock",
            description = "Docker Engine socket for container metadata (default: ${DEFAULT-VALUE}).")
    Path dockerSocket;

    @Option(names = "--no-containers", description = "Container ids only (from cgroup paths); ask no runtime.")
    boolean noContainers;

    @Option(names = "--syscall-hook", paramLabel = "HOOK", defaultValue = "auto",
            description = "tracepoints: a tracepoint per selected syscall, nothing runs for the others; "
                    + "raw: one program on every syscall's exit, cheaper per captured syscall, dearer for the rest; "
                    + "auto (default): tracepoints, or raw when a selected syscall has no tracepoint on this kernel.")
    String syscallHook;

    @Option(names = {"-v", "--verbose"}, description = "Print libbpf's debug output.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        Selection selection = Selection.parse(events);
        if (selection.types().isEmpty()) throw new IllegalArgumentException("--events selects no event type");
        if (duration != null && !(duration > 0)) throw new IllegalArgumentException("--duration must be positive, got " + duration);
        Sensor.SyscallHook hook;
        try {
            hook = Sensor.SyscallHook.parse(syscallHook);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--syscall-hook: " + e.getMessage());
        }
        LibBpfLog.setVerbose(verbose ? System.err : null);
        // Container metadata from the runtime (written into the capture, so a replay has container.* fields);
        // a missing socket leaves ids only, said once.
        ContainerResolver containers = noContainers ? ContainerResolver.identityOnly()
                : ContainerResolver.create(ContainerResolver.Options.defaults().withDockerSocket(dockerSocket));
        try (Sensor sensor = Sensor.start(selection, Sensor.Options.defaults().withSyscallHook(hook).withContainers(containers))) {
            if (!sensor.rawHooked().isEmpty()) {
                System.err.println("vigil capture: this kernel has no tracepoint for " + sensor.rawHooked().stream()
                        .map(EventType::falcoName).collect(Collectors.joining(",")) + ": captured through the raw sys_exit hook");
            }
            CaptureWriter writer = CaptureWriter.create(file, CaptureWriter.Meta.now(selection), sensor.processTable());
            DropReporter drops = new DropReporter("capture", sensor::droppedTotal);
            sensor.setDropListener(r -> {
                writer.writeDrops(r.total(), r.newDrops()); // recorded in the file too: a replay knows what is missing
                drops.check();
            });
            Signals.onTerminate(sensor::stop);
            if (duration != null) {
                long ms = (long) (duration * 1000);
                Thread.ofPlatform().daemon().name("capture-timer").start(() -> {
                    try {
                        Thread.sleep(ms);
                    } catch (InterruptedException e) {
                        return;
                    }
                    sensor.stop();
                });
            }
            System.err.println("vigil capture: writing " + file + " (Ctrl-C to stop)");
            try {
                sensor.run(writer::write, writer::flushIfDue);
            } catch (UncheckedIOException e) {
                throw new IllegalStateException("writing " + file + " failed: " + e.getCause().getMessage(), e);
            } finally {
                long dropped = sensor.droppedTotal();
                if (dropped > 0) writer.writeDrops(dropped, 0);
                writer.close();
            }
            long dropped = sensor.droppedTotal();
            System.err.printf("vigil capture: %d events, %d process records, %d container records written to %s; %d events dropped by the kernel%n",
                    writer.eventsWritten(), writer.processRecordsWritten(), writer.containerRecordsWritten(), file, dropped);
            drops.summary();
        }
        return 0;
    }
}

package dev.vigil.bench.ringbuf;

import dev.vigil.ebpf.BpfObject;
import dev.vigil.ebpf.btf.StructView;
import dev.vigil.ebpf.link.Link;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.ringbuf.RecordHandler;
import dev.vigil.ebpf.ringbuf.RingBuffer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java consumer of the ring buffer benchmark (bench/ringbuf/run.sh): Vigil's pure-Java
 * {@link RingBuffer} on the producer bpf/ringbench.bpf.o, with the same driver, protocol and output
 * line as the C reference consumer (bench/ringbuf/consumer.c), so the two compare one to one.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... dev.vigil.bench.ringbuf.RingBench
 *      --obj ringbench.bpf.o --driver DRIVER [--mode stream|drain] [--seconds S] [--warmup-seconds W]
 *      [--calls N] [--reps R] [--driver-cpu C] [--timeout-ms T] [--ring-bytes B] [--wakeup-bytes B]
 * </pre>
 *
 * stream: a warm-up phase of the driver (so C2 has compiled the drain loop and the handler), then
 * a measured phase while this thread calls {@code ring.poll(T, handler)} in a loop. drain: the
 * ring is filled with no consumer running, then one {@code ring.drain(handler)} of it is timed;
 * repetition 0 is the warm-up.
 */
public final class RingBench {
    /** Java's view of struct ringbench_record (bpf/include/vigil/ringbench.h), checked against BTF. */
    static final StructView RECORD = StructView.builder("ringbench_record", 64)
            .field("seq", 0, 8)
            .field("ts_ns", 8, 8)
            .field("pid", 16, 4)
            .field("tid", 20, 4)
            .field("cpu", 24, 4)
            .field("syscall_nr", 28, 4)
            .field("pad", 32, 32)
            .build();
    private static final long SEQ = RECORD.field("seq").offset();
    private static final long PID = RECORD.field("pid").offset();
    private static final int KIND_RECORD = 0; // RINGBENCH_KIND_RECORD
    private static final Pattern DRIVER_LINE = Pattern.compile("calls=(\\d+) ns=(\\d+) ns_per_call=([0-9.]+)");

    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    private static final MethodHandle CLOCK_GETTIME = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("clock_gettime").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MemorySegment TIMESPEC = Arena.global().allocate(16, 8);

    /**
     * CPU time of the whole JVM (every thread: JIT compilers, GC, the driver-output reader), in ns.
     * OperatingSystemMXBean#getProcessCpuTime is only 10 ms-precise here, hence clock_gettime.
     */
    static long processCpuNs() {
        try {
            if ((int) CLOCK_GETTIME.invokeExact(CLOCK_PROCESS_CPUTIME_ID, TIMESPEC) != 0) {
                throw new IllegalStateException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return TIMESPEC.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + TIMESPEC.get(ValueLayout.JAVA_LONG, 8);
    }

    /** Counts records and checks each: the right pid, 64 bytes, and the next seq unless drops came between. */
    static final class Counter implements RecordHandler {
        final int pid;
        long received;
        long gaps;
        long bad;
        long lastSeq;

        Counter(int pid) {
            this.pid = pid;
        }

        void reset(long firstSeq) {
            received = 0;
            gaps = 0;
            bad = 0;
            lastSeq = firstSeq - 1;
        }

        @Override
        public void onRecord(MemorySegment data, long offset, int length) {
            long seq = data.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + SEQ);
            if (length != 64 || data.get(ValueLayout.JAVA_INT_UNALIGNED, offset + PID) != pid) {
                bad++;
            }
            gaps += seq - lastSeq - 1;
            lastSeq = seq;
            received++;
        }
    }

    /** The driver's stdout, read on its own (blocked) thread so the poll loop makes no extra syscalls. */
    static final class DriverLines {
        private final BufferedReader in;
        private volatile String line;

        DriverLines(Process p) {
            in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
            Thread.ofPlatform().daemon().name("driver-stdout").start(this::run);
        }

        private void run() {
            try {
                String l;
                while ((l = in.readLine()) != null) {
                    line = l;
                    while (line != null) {
                        Thread.sleep(1);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the driver ended
            }
        }

        boolean done() {
            return line != null;
        }

        String take() {
            String l = line;
            line = null;
            return l;
        }
    }

    public static void main(String[] args) throws Exception {
        String obj = null;
        String driver = null;
        String mode = "stream";
        double seconds = 4;
        double warmup = 1;
        long calls = 200_000;
        int reps = 5;
        int driverCpu = -1;
        int timeoutMs = 2;
        long ringBytes = 16L << 20;
        long wakeupBytes = -1;
        for (int i = 0; i < args.length; i++) {
            if (i + 1 >= args.length) {
                usage();
            }
            String v = args[++i];
            switch (args[i - 1]) {
                case "--obj" -> obj = v;
                case "--driver" -> driver = v;
                case "--mode" -> mode = v;
                case "--seconds" -> seconds = Double.parseDouble(v);
                case "--warmup-seconds" -> warmup = Double.parseDouble(v);
                case "--calls" -> calls = Long.parseLong(v);
                case "--reps" -> reps = Integer.parseInt(v);
                case "--driver-cpu" -> driverCpu = Integer.parseInt(v);
                case "--timeout-ms" -> timeoutMs = Integer.parseInt(v);
                case "--ring-bytes" -> ringBytes = Long.parseLong(v);
                case "--wakeup-bytes" -> wakeupBytes = Long.parseLong(v);
                default -> usage();
            }
        }
        if (obj == null || driver == null || !(mode.equals("stream") || mode.equals("drain"))) {
            usage();
        }
        if (wakeupBytes < 0) {
            wakeupBytes = ringBytes / 4;
        }
        boolean drain = mode.equals("drain");

        List<String> cmd = new ArrayList<>(List.of(driver, "--cpu", Integer.toString(driverCpu)));
        cmd.addAll(drain ? List.of("--calls", Long.toString(calls)) : List.of("--seconds", Double.toString(seconds)));
        Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int pid = (int) proc.pid();
        DriverLines lines = new DriverLines(proc);
        OutputStream go = proc.getOutputStream();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();

        try (BpfObject o = BpfObject.openFile(Path.of(obj))) {
            o.setConstant("target_tgid", pid);
            o.setConstant("vigil_wakeup_bytes", wakeupBytes);
            o.map("ring").setMaxEntries(Math.toIntExact(ringBytes));
            o.load();
            RECORD.verify(o.btf());
            BpfMap drops = o.map("vigil_drops");
            BpfMap bss = o.maps().stream().filter(m -> m.name().endsWith(".bss")).findFirst().orElseThrow();
            Counter counter = new Counter(pid);
            try (RingBuffer ring = RingBuffer.open(o.map("ring"));
                 Link link = o.program("ringbench_sys_enter").attachRawTracepoint("sys_enter")) {
                if (drain) {
                    for (int rep = 0; rep < reps; rep++) {
                        long p0 = produced(bss);
                        long d0 = drops.sumPerCpuLong(KIND_RECORD);
                        go.write("go\n".getBytes(StandardCharsets.US_ASCII));
                        go.flush();
                        while (!lines.done()) {
                            Thread.sleep(1);
                        }
                        lines.take();
                        long p1 = produced(bss);
                        long d1 = drops.sumPerCpuLong(KIND_RECORD);
                        counter.reset(p0);
                        long c0 = threads.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        ring.drain(counter);
                        long t1 = System.nanoTime();
                        long c1 = threads.getCurrentThreadCpuTime();
                        System.out.printf(Locale.ROOT, "consumer=java mode=drain rep=%d produced=%d received=%d dropped=%d"
                                        + " gaps=%d bad=%d drain_ns=%d drain_mrec_s=%.1f cpu_ns_per_event=%.2f%n",
                                rep, p1 - p0, counter.received, d1 - d0, counter.gaps, counter.bad, t1 - t0,
                                counter.received * 1e3 / (t1 - t0), (double) (c1 - c0) / counter.received);
                    }
                } else {
                    for (int phase = 0; phase < 2; phase++) {
                        long p0 = produced(bss);
                        long d0 = drops.sumPerCpuLong(KIND_RECORD);
                        long loops = 0;
                        long empty = 0;
                        counter.reset(p0);
                        long cp0 = processCpuNs();
                        long ct0 = threads.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        String cmdLine = phase == 0 ? "go " + warmup + "\n" : "go\n";
                        go.write(cmdLine.getBytes(StandardCharsets.US_ASCII));
                        go.flush();
                        while (!lines.done()) {
                            int n = ring.poll(timeoutMs, counter);
                            loops++;
                            if (n == 0) {
                                empty++;
                            }
                        }
                        ring.drain(counter); // the records of the driver's last calls
                        long t1 = System.nanoTime();
                        long cp1 = processCpuNs();
                        long ct1 = threads.getCurrentThreadCpuTime();
                        long p1 = produced(bss);
                        long d1 = drops.sumPerCpuLong(KIND_RECORD);
                        Matcher m = DRIVER_LINE.matcher(lines.take());
                        if (!m.find()) {
                            throw new IllegalStateException("unexpected driver output");
                        }
                        long driverCalls = Long.parseLong(m.group(1));
                        long driverNs = Long.parseLong(m.group(2));
                        double nsPerCall = Double.parseDouble(m.group(3));
                        long r = counter.received;
                        if (phase == 1) {
                            System.out.printf(Locale.ROOT, "consumer=java mode=stream calls=%d driver_ns=%d ns_per_call=%.1f"
                                            + " produced=%d received=%d dropped=%d gaps=%d bad=%d wall_ns=%d events_per_s=%.0f"
                                            + " cpu_ns=%d thread_cpu_ns=%d cpu_ns_per_event=%.2f thread_cpu_ns_per_event=%.2f"
                                            + " loops=%d empty_loops=%d%n",
                                    driverCalls, driverNs, nsPerCall, p1 - p0, r, d1 - d0, counter.gaps, counter.bad,
                                    t1 - t0, r * 1e9 / driverNs, cp1 - cp0, ct1 - ct0,
                                    r == 0 ? 0.0 : (double) (cp1 - cp0) / r, r == 0 ? 0.0 : (double) (ct1 - ct0) / r,
                                    loops, empty);
                        }
                    }
                }
            }
        } finally {
            go.close(); // EOF: the driver exits
            proc.waitFor();
        }
    }

    private static long produced(BpfMap bss) {
        return BpfMap.readU64(bss.lookup(BpfMap.u32(0)).orElseThrow(), 0); // 'produced' is the only .bss variable
    }

    private static void usage() {
        System.err.println("usage: RingBench --obj OBJ --driver DRIVER [--mode stream|drain] [--seconds S] [--warmup-seconds W] [--calls N]"
                + " [--reps R] [--driver-cpu C] [--timeout-ms T] [--ring-bytes B] [--wakeup-bytes B]");
        System.exit(2);
    }

    private RingBench() {}
}

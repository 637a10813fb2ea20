// Issue 17: the process table's cost of reparenting under a busy reaper. Run (after a build): java -XX:+UseSerialGC -cp 'sensor/target/classes:cli/target/lib/*' bench/perf/ReparentCost.java
import dev.vigil.sensor.ProcessTable;
import java.lang.management.ManagementFactory;
/** A reaper (pid 1) with 4000 children; per iteration a shell forks a child and exits first (the child is reparented), then the child exits. */
public class ReparentCost {
    public static void main(String[] a) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ProcessTable t = new ProcessTable(4096, 5_000_000_000L);
        long ts = 0;
        for (int i = 0; i < 4000; i++) t.onFork(1, 10_000 + i, ts++);
        for (int round = 0; round < 5; round++) {
            long t0 = mx.getCurrentThreadCpuTime(), b0 = mx.getCurrentThreadAllocatedBytes();
            int n = 20_000;
            for (int i = 0; i < n; i++) {
                int sh = 100_000 + (i % 20_000) * 2, c = sh + 1;
                t.onFork(1, sh, ts++);
                t.onFork(sh, c, ts++);
                t.onExit(sh, 1, ts++);
                t.onExit(c, 1, ts++);
            }
            long t1 = mx.getCurrentThreadCpuTime(), b1 = mx.getCurrentThreadAllocatedBytes();
            System.out.printf("round %d: %.0f ns CPU, %.0f bytes per fork,fork,exit,exit%n", round, (t1 - t0) / (double) n, (b1 - b0) / (double) n);
        }
    }
}

package dev.vigil.ebpf.tool;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * Lost events are never silent: {@link #check()} reports new losses as they happen (at most once a
 * second), {@link #summary()} prints {@code Lost N events} on exit, zero included, so a run's output says
 * whether it is complete.
 */
public final class LostEvents {
    private static final long INTERVAL_NS = 1_000_000_000L;
    private final String tool;
    private final LongSupplier lost;
    private final PrintStream err;
    private long reported;
    private long lastCheck;

    public LostEvents(String tool, LongSupplier lost, PrintStream err) {
        this.tool = tool;
        this.lost = lost;
        this.err = err;
    }

    /** Cheap to call after every batch: reads the counters once a second at most. */
    public void check() {
        long now = System.nanoTime();
        if (now - lastCheck < INTERVAL_NS) {
            return;
        }
        lastCheck = now;
        long total = lost.getAsLong();
        if (total > reported) {
            err.printf("vigil %s: lost %d events (ring buffer full; %d in all)%n", tool, total - reported, total);
            err.flush();
            reported = total;
        }
    }

    /** The final count; also returns it. */
    public long summary() {
        long total = lost.getAsLong();
        err.printf("Lost %d events%n", total);
        err.flush();
        return total;
    }
}

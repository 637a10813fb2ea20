package dev.vigil.cli;

import java.util.function.LongSupplier;

/** Reports lost events on stderr as they happen (at most once a second) and in a summary: never silent. */
final class DropReporter {
    private static final long INTERVAL_NS = 1_000_000_000L;
    private final String tool;
    private final LongSupplier dropped;
    private long reported;
    private long lastCheck;

    DropReporter(String tool, LongSupplier dropped) {
        this.tool = tool;
        this.dropped = dropped;
    }

    void check() {
        long now = System.nanoTime();
        if (now - lastCheck < INTERVAL_NS) {
            return;
        }
        lastCheck = now;
        long total = dropped.getAsLong();
        if (total > reported) {
            System.err.printf("vigil %s: lost %d events (ring buffer full; %d in all)%n", tool, total - reported, total);
            reported = total;
        }
    }

    void summary() {
        long total = dropped.getAsLong();
        if (total > 0) {
            System.err.printf("vigil %s: %d events lost in all%n", tool, total);
        }
    }
}

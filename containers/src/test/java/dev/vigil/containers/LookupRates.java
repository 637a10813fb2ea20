package dev.vigil.containers;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** Metadata lookups per second against a real runtime: one caller, then 8 in flight, each for {@code nanos}. */
record LookupRates(double sequential, double parallel) {
    static final int IN_FLIGHT = 8;

    static LookupRates measure(MetadataSource source, List<ContainerId> ids, long nanos) throws Exception {
        int rounds = 0;
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < nanos) {
            for (ContainerId id : ids) source.inspect(id);
            rounds++;
        }
        double seq = rounds * ids.size() / ((System.nanoTime() - t0) / 1e9);
        AtomicLong done = new AtomicLong();
        long t1 = System.nanoTime();
        try (var ex = Executors.newFixedThreadPool(IN_FLIGHT)) {
            for (int w = 0; w < IN_FLIGHT; w++) ex.submit(() -> {
                while (System.nanoTime() - t1 < nanos) {
                    for (ContainerId id : ids) {
                        source.inspect(id);
                        done.incrementAndGet();
                    }
                }
                return null;
            });
        }
        return new LookupRates(seq, done.get() / ((System.nanoTime() - t1) / 1e9));
    }
}

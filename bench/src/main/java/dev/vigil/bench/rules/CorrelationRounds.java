package dev.vigil.bench.rules;

import dev.vigil.bench.rules.CorrelationBench.Workload;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The stable rules alone and with the shipped correlations, side by side in one JVM: short rounds alternate
 * between the two (the order flipping each round), and each round gives a ratio, so that this machine's drifting
 * speed (it varies by tens of percent over a minute) cancels out of the ratio. Prints the median events/s of each
 * and the median, min and max of the per-round ratios, per stream.
 *
 *   java -cp ... dev.vigil.bench.rules.CorrelationRounds [ROUNDS [ROUND_MILLIS [ONLY [STREAM]]]]
 * ONLY names one correlation (spaces as '_') to attribute the cost; "all" (the default) loads all shipped.
 */
public final class CorrelationRounds {
    private CorrelationRounds() {}

    static volatile long sinkhole;

    /** Events evaluated per second over about {@code millis}. */
    static double rate(Workload w, long millis) {
        long events = 0, t0 = System.nanoTime(), end = t0 + millis * 1_000_000L, now;
        long acc = 0;
        do {
            acc += w.pass();
            events += w.events.length;
            now = System.nanoTime();
        } while (now < end);
        sinkhole += acc;
        return events * 1e9 / (now - t0);
    }

    static double median(List<Double> l) {
        List<Double> s = new ArrayList<>(l);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        long millis = args.length > 1 ? Long.parseLong(args[1]) : 500;
        String only = args.length > 2 ? args[2] : "all";
        List<String> streams = args.length > 3 ? List.of(args[3]) : List.of("synthetic", "scan");
        System.out.printf("%-10s %14s %22s %8s %8s %8s%n", "stream", "stable ev/s", "stable+correlations", "ratio", "min", "max");
        for (String stream : streams) {
            Workload stable = new Workload("stable", stream, "all");
            // "same": the stable rules twice, the harness's own control (its ratio should be 1)
            Workload both = only.equals("same") ? new Workload("stable", stream, "all")
                    : only.startsWith("file:") ? new Workload("stable+" + only, stream, "all") : new Workload("stable+correlations", stream, only);
            for (int i = 0; i < 8; i++) { // warm-up: both compiled before the first round counts
                rate(stable, 500);
                rate(both, 500);
            }
            List<Double> a = new ArrayList<>(), b = new ArrayList<>(), ratio = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                double x, y;
                if (r % 2 == 0) {
                    x = rate(stable, millis);
                    y = rate(both, millis);
                } else {
                    y = rate(both, millis);
                    x = rate(stable, millis);
                }
                a.add(x);
                b.add(y);
                ratio.add(y / x);
            }
            System.out.printf("%-10s %14.0f %22.0f %8.3f %8.3f %8.3f%n", stream, median(a), median(b), median(ratio),
                    Collections.min(ratio), Collections.max(ratio));
        }
    }
}

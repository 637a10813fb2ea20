package dev.vigil.bench.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link ResolveBench} in rounds, each round every scenario once (one JMH fork each, in an order rotated
 * from round to round, so slow phases of a shared machine do not always land on the same scenario), and prints
 * per round the ns and bytes per call and the ratio to {@code hostOnly} of the same round; then the medians.
 * Args: rounds (default 5), warm-up and measured iterations of 1 s (default 3 and 5).
 */
public final class ResolveBenchMain {
    static final String[] SCENARIOS = {"hostOnly", "containers", "idOnlyFetching", "idOnlyNoRuntime"};

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int measure = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Map<String, List<Double>> ns = new LinkedHashMap<>(), bytes = new LinkedHashMap<>(), ratio = new LinkedHashMap<>();
        for (String s : SCENARIOS) {
            ns.put(s, new ArrayList<>());
            bytes.put(s, new ArrayList<>());
            ratio.put(s, new ArrayList<>());
        }
        System.out.printf("resolve() hot path: %d rounds x %d scenarios, %d x 1 s warm-up, %d x 1 s measured; load average %s%n",
                rounds, SCENARIOS.length, warmup, measure, loadavg());
        for (int r = 0; r < rounds; r++) {
            Map<String, double[]> round = new LinkedHashMap<>();
            for (int k = 0; k < SCENARIOS.length; k++) {
                String s = SCENARIOS[(r + k) % SCENARIOS.length];
                round.put(s, runOne(s, warmup, measure));
            }
            double host = round.get("hostOnly")[0];
            StringBuilder line = new StringBuilder("round " + (r + 1) + " (load " + loadavg() + "):");
            for (String s : SCENARIOS) {
                double[] v = round.get(s);
                ns.get(s).add(v[0]);
                bytes.get(s).add(v[1]);
                ratio.get(s).add(v[0] / host);
                line.append(String.format("  %s %.2f ns %.4f B x%.2f", s, v[0], v[1], v[0] / host));
            }
            System.out.println(line);
        }
        System.out.println();
        System.out.println("| scenario | ns/call (median) | min-max over rounds | B/call (median) | vs hostOnly, same round (median) |");
        System.out.println("|---|--:|--:|--:|--:|");
        for (String s : SCENARIOS) {
            System.out.printf("| %s | %.2f | %.2f-%.2f | %.4f | %.2fx |%n", s, median(ns.get(s)),
                    ns.get(s).stream().mapToDouble(d -> d).min().orElse(0), ns.get(s).stream().mapToDouble(d -> d).max().orElse(0),
                    median(bytes.get(s)), median(ratio.get(s)));
        }
        System.out.println("load average at the end: " + loadavg());
    }

    /** One JMH fork of one scenario: {ns per call, bytes allocated per call}. */
    static double[] runOne(String scenario, int warmup, int measure) throws Exception {
        Options opt = new OptionsBuilder()
                .include(ResolveBench.class.getName() + ".resolve")
                .param("scenario", scenario)
                .forks(1)
                .warmupIterations(warmup).warmupTime(TimeValue.seconds(1))
                .measurementIterations(measure).measurementTime(TimeValue.seconds(1))
                .timeUnit(TimeUnit.NANOSECONDS)
                .addProfiler(GCProfiler.class)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(opt).run();
        if (results.size() != 1) throw new IllegalStateException(scenario + ": " + results.size() + " results (did the trial fail?)");
        RunResult rr = results.iterator().next();
        double alloc = Double.NaN;
        for (Map.Entry<String, Result> e : rr.getSecondaryResults().entrySet()) {
            if (e.getKey().endsWith("gc.alloc.rate.norm")) alloc = e.getValue().getScore();
        }
        return new double[] {rr.getPrimaryResult().getScore(), alloc};
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}

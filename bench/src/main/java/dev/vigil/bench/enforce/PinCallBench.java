package dev.vigil.bench.enforce;

import dev.vigil.ebpf.pin.PinDirectory;
import dev.vigil.enforce.kernel.Enforcer;
import dev.vigil.policy.PinStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the pin-removal reports cost where BPF LSM is missing (bench/enforce/pincalls.sh): the enforcer with tamper
 * reports and pins, and an unlink loop (bench/enforce/loops.c) of paths that do not exist: an absolute path outside
 * the pin folders, a bare name in a folder that is not one, and a bare name in the pin folder itself (the full check,
 * no report: the name is not there, but the call is seen at its entry). The programs' own time per unlink (BPF stats
 * held by the loop), medians of the rounds, beside the loop without the enforcer.
 *
 * <p>Args: LOOPS_BINARY PIN_ROOT ROUNDS N
 */
public final class PinCallBench {
    private PinCallBench() {}

    public static void main(String[] args) throws Exception {
        Path loops = Path.of(args[0]), root = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]), n = Integer.parseInt(args[3]);
        Path pins = root.resolve("enforcement");
        Path tmp = Files.createTempDirectory("vigil-bench-pincalls");
        new PinDirectory(pins).create(); // the loops run in it before the first enforcer pins there
        String[][] cases = {{"absolute path, not a pin folder", "/tmp/vigil-bench-absent", "/"},
                {"bare name, not a pin folder", "vigil-bench-absent", tmp.toString()},
                {"bare name in the pin folder", "vigil-bench-absent", pins.toString()}};
        List<List<Double>> prog = new ArrayList<>(), wall = new ArrayList<>(), none = new ArrayList<>();
        for (int i = 0; i < cases.length; i++) {
            prog.add(new ArrayList<>());
            wall.add(new ArrayList<>());
            none.add(new ArrayList<>());
        }
        try {
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < cases.length; i++) none.get(i).add(loop(loops, cases[i], n, false));
                try (Enforcer e = Enforcer.start(Enforcer.Options.defaults().withPins(new PinDirectory(pins)), d -> { })) {
                    for (int i = 0; i < cases.length; i++) {
                        wall.get(i).add(loop(loops, cases[i], n, false));
                        Map<String, long[]> before = e.programStats();
                        loop(loops, cases[i], n, true);
                        Map<String, long[]> after = e.programStats();
                        double sum = 0;
                        for (var kv : after.entrySet()) sum += (double) (kv.getValue()[0] - before.getOrDefault(kv.getKey(), new long[2])[0]) / n;
                        prog.get(i).add(sum);
                    }
                }
            }
        } finally {
            new PinStore(root).remove();
            Files.deleteIfExists(pins);
            Files.deleteIfExists(root);
            Files.deleteIfExists(tmp);
        }
        System.out.println("| unlink of | loop, no enforcer (ns) | loop, enforcer with tamper reports (ns) | programs' own time per unlink (ns) |");
        System.out.println("|---|--:|--:|--:|");
        for (int i = 0; i < cases.length; i++) {
            System.out.printf("| %s | %.0f | %.0f | %.0f |%n", cases[i][0], EnforceBench.median(none.get(i)), EnforceBench.median(wall.get(i)),
                    EnforceBench.median(prog.get(i)));
        }
        System.out.println("(medians of " + rounds + " rounds of " + n + " unlinks; the programs' time is every attached enforcement program's, BPF_ENABLE_STATS held by the loop)");
    }

    static double loop(Path loops, String[] c, int n, boolean stats) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(loops.toString(), "unlink", Integer.toString(n), c[1]).directory(Path.of(c[2]).toFile())
                .redirectErrorStream(true);
        if (stats) pb.environment().put("VIGIL_BPF_STATS", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) throw new IllegalStateException("unlink loop failed: " + out);
        return Double.parseDouble(out);
    }
}

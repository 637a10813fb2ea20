/** Loaded once per build by AB (bench/rules/ab.sh): the RulesBench stream and rules, timed in thread CPU time. */
import dev.vigil.bench.rules.SyntheticEvents;
import dev.vigil.events.EventView;
import dev.vigil.rules.Rules;
import dev.vigil.rules.engine.*;
import java.nio.file.*;
import java.util.*;
public class Driver {
  static RuleSet rs; static EventView[] ev; static long matches;
  static final AlertSink SINK = (r, e) -> matches++;
  public static void setup(String files) throws Exception {
    Path dir = Paths.get(System.getProperty("ab.rules"));
    List<Path> fs = new ArrayList<>();
    for (String f : files.split(",")) fs.add(dir.resolve(f));
    rs = Rules.load(fs, EngineOptions.defaults().withHostname("bench"));
    ev = SyntheticEvents.stream(8192, 42);
    if (System.getenv("AB_GC") != null) System.gc();
  }
  public static long round(int passes) {
    RuleSet r = rs; EventView[] es = ev; AlertSink s = SINK;
    java.lang.management.ThreadMXBean tm = java.lang.management.ManagementFactory.getThreadMXBean(); long t0 = tm.getCurrentThreadCpuTime();
    for (int p = 0; p < passes; p++) for (EventView e : es) r.evaluate(e, s);
    return tm.getCurrentThreadCpuTime() - t0;
  }
}

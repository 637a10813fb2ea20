import java.io.File;
import java.lang.reflect.Method;
import java.net.*;
import java.util.*;
/** AB TREE_A TREE_B [rounds] [files]: both builds in one JVM (own class loaders), short alternating rounds, median ratio. */
public class AB {
  public static void main(String[] a) throws Exception {
    int rounds = a.length > 2 ? Integer.parseInt(a[2]) : 60;
    String files = a.length > 3 ? a[3] : "falco_rules.yaml";
    Method[] run = new Method[2]; String[] names = {a[0], a[1]};
    for (int i = 0; i < 2; i++) {
      List<URL> urls = new ArrayList<>();
      urls.add(new File(System.getProperty("ab.driver")).toURI().toURL());
      urls.add(new File(a[i] + "/bench/target/vigil-bench-0.1.0-SNAPSHOT.jar").toURI().toURL());
      for (File f : new File(a[i] + "/bench/target/lib").listFiles()) urls.add(f.toURI().toURL());
      ClassLoader cl = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
      Class<?> d = Class.forName("Driver", true, cl);
      d.getMethod("setup", String.class).invoke(null, files);
      run[i] = d.getMethod("round", int.class);
    }
    int passes = 40; long ev = 8192L * passes;
    for (int w = 0; w < 150; w++) for (int i = 0; i < 2; i++) run[i].invoke(null, passes);
    double[] ratio = new double[rounds]; double[][] eps = new double[2][rounds];
    for (int r = 0; r < rounds; r++) {
      int first = r & 1; long[] ns = new long[2];
      for (int k = 0; k < 2; k++) { int i = first ^ k; ns[i] = (Long) run[i].invoke(null, passes); }
      for (int i = 0; i < 2; i++) eps[i][r] = ev * 1e9 / ns[i];
      ratio[r] = eps[1][r] / eps[0][r];
    }
    Arrays.sort(ratio); for (double[] e : eps) Arrays.sort(e);
    System.out.printf("A %s median %.2f M ev/s (p25 %.2f p75 %.2f)%n", names[0], eps[0][rounds/2]/1e6, eps[0][rounds/4]/1e6, eps[0][3*rounds/4]/1e6);
    System.out.printf("B %s median %.2f M ev/s (p25 %.2f p75 %.2f)%n", names[1], eps[1][rounds/2]/1e6, eps[1][rounds/4]/1e6, eps[1][3*rounds/4]/1e6);
    System.out.printf("B/A median %.3f (p25 %.3f p75 %.3f) over %d rounds%n", ratio[rounds/2], ratio[rounds/4], ratio[3*rounds/4], rounds);
  }
}

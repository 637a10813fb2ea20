/** A JVM for the profiler's JIT test: spins in spinJava() once it is compiled. */
public class Spin {
    static long sink;

    static long spinJava(long n) {
        long s = 0;
        for (long i = 0; i < n; i++) {
            s += i ^ (s >>> 3);
        }
        return s;
    }

    public static void main(String[] args) {
        for (int i = 0; i < 2_000; i++) {
            sink += spinJava(100_000); // warm up: compiled by the JIT before "ready"
        }
        System.out.println("ready");
        System.out.flush();
        for (;;) {
            sink += spinJava(1_000_000);
        }
    }
}

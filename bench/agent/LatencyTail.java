// Follows an alert file (JSON lines, as `vigil run -o json_output=true` writes them) and prints, for each
// new alert of RULE, the delay from the syscall (output_fields."evt.time": taken in the kernel at the
// syscall's exit, ns since the epoch) to the moment this program read the line, in microseconds.
// Polls every 200 us from byte OFFSET on; stops after COUNT alerts or TIMEOUT seconds without a new one.
//
//   java LatencyTail.java FILE RULE COUNT TIMEOUT OFFSET
// Plain Java on purpose (no dependencies): the benchmark runs it as a single source file.
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class LatencyTail {
    public static void main(String[] args) throws Exception {
        String file = args[0], rule = args[1];
        int count = Integer.parseInt(args[2]);
        long timeoutNs = Long.parseLong(args[3]) * 1_000_000_000L;
        Pattern time = Pattern.compile("\"evt\\.time\"\\s*:\\s*(\\d+)");
        String ruleField = "\"rule\":\"" + rule + "\"";
        try (RandomAccessFile f = new RandomAccessFile(file, "r")) {
            f.seek(Long.parseLong(args[4])); // the file's size before the first trigger
            System.err.println("ready"); // the script starts the triggers only now: this JVM's start-up (JIT) must not compete with the agent
            StringBuilder partial = new StringBuilder();
            byte[] buf = new byte[1 << 16];
            int seen = 0;
            long last = System.nanoTime();
            while (seen < count && System.nanoTime() - last < timeoutNs) {
                int n = f.read(buf);
                if (n <= 0) {
                    Thread.sleep(0, 200_000);
                    continue;
                }
                Instant now = Instant.now();
                long nowNs = now.getEpochSecond() * 1_000_000_000L + now.getNano();
                partial.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                int nl;
                while ((nl = partial.indexOf("\n")) >= 0) {
                    String line = partial.substring(0, nl);
                    partial.delete(0, nl + 1);
                    if (!line.contains(ruleField)) continue; // compact JSON, as Jackson writes it
                    Matcher m = time.matcher(line);
                    if (!m.find()) continue;
                    System.out.println((nowNs - Long.parseLong(m.group(1))) / 1000);
                    seen++;
                    last = System.nanoTime();
                }
            }
        }
    }
}

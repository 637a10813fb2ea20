package dev.vigil.tools.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.tools.ToolOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** tcplife's line, written without a Formatter, is exactly libbpf-tools' printf (here String.format) of the same values. */
class TcpLifePrinterTest {
    @Test
    void theLineBufferColumnsMatchPrintf() {
        long start = 1_000_000_000L;
        TcpLifeEvent[] events = {
            new TcpLifeEvent(start + 1_234_567_890L, 1_234, 3_002, 5_002, 4242, Addresses.AF_INET, 40_000, 8080, "127.0.0.1", "10.1.2.3", "bash"),
            new TcpLifeEvent(start + 5L, 0, 0, 1023, 1, Addresses.AF_INET6, 1, 65_535, "::1", "fe80::1", "a-very-long-comm"),
            new TcpLifeEvent(start + 999_999_999L, 987_654_321, 5L << 30, 511, 7, Addresses.AF_INET, 5, 6, "1.2.3.4", "5.6.7.8", "x"),
        };
        for (boolean wide : new boolean[] {false, true}) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ToolOutput out = new ToolOutput(bytes, false);
            var printer = new TcpLife.Printer(out, new TcpLife.Format(false, true, wide), start);
            StringBuilder expected = new StringBuilder();
            int w = wide ? 39 : 15;
            for (TcpLifeEvent e : events) {
                printer.print(e);
                expected.append(String.format("%-9.3f ", (e.bootTimeNs() - start) / 1e9)).append(String.format(
                        "%-7d %-16s %-" + w + "s %-5d %-" + w + "s %-5d %-6.2f %-6.2f %.2f%n", e.pid(), e.comm(), e.laddr(), e.lport(),
                        e.raddr(), e.rport(), e.txBytes() / 1024.0, e.rxBytes() / 1024.0, e.spanUs() / 1000.0));
            }
            out.flush();
            assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(expected.toString());
        }
    }
}

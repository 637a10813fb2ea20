package dev.vigil.ebpf.tool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The printer against print_log2_hist's output for the same slots (libbpf-tools' format, by hand). */
class Log2HistogramTest {
    @Test
    void printsLikePrintLog2Hist() {
        String out = Log2Histogram.of(0, 1, 4, 0, 8).format("usecs");
        assertThat(out).isEqualTo(
                "     usecs               : count    distribution\n"
              + "         0 -> 1          : 0        |                                        |\n"
              + "         2 -> 3          : 1        |*****                                   |\n"
              + "         4 -> 7          : 4        |********************                    |\n"
              + "         8 -> 15         : 0        |                                        |\n"
              + "        16 -> 31         : 8        |****************************************|\n");
    }

    @Test
    void emptyPrintsNothingAndTrailingZerosAreCut() {
        assertThat(Log2Histogram.of(0, 0, 0).format("msecs")).isEmpty();
        assertThat(Log2Histogram.of(3, 0, 0).buckets()).hasSize(1);
        assertThat(Log2Histogram.of(3, 0, 0).buckets().getFirst()).isEqualTo(new Log2Histogram.Bucket(0, 1, 3));
    }

    @Test
    void slotsPast32UseTheWideLayout() {
        long[] slots = new long[34];
        slots[33] = 2;
        String out = Log2Histogram.of(slots).format("nsecs");
        String[] lines = out.split("\n");
        assertThat(lines[0]).isEqualTo(" ".repeat(15) + String.format("%-29s", "nsecs") + " : count    distribution");
        assertThat(lines[34]).isEqualTo(String.format("%20d -> %-20d : %-8d |%s|", 8589934592L, 17179869183L, 2, "*".repeat(20)));
    }
}

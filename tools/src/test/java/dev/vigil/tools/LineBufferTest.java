package dev.vigil.tools;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class LineBufferTest {
    /** A folded stack of a deep JIT-compiled call chain (JMH, Spring) is longer than the buffer: it goes out whole. */
    @Test
    void aPartLongerThanTheBufferIsWrittenWhole() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LineBuffer l = new LineBuffer(out);
        String stack = "frame;".repeat(40_000); // 240,000 bytes
        l.str("head ").str(stack).ch(' ').dec(7).nl();
        l.flush();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("head " + stack + " 7\n");
    }

    /** Padding counts the part's own length, also when writing the part had to flush what was buffered. */
    @Test
    void leftPaddingIsRightAcrossAFlush() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LineBuffer l = new LineBuffer(out);
        String filler = "x".repeat(64 * 1024 + 8190);
        l.str(filler).left("ab", 6).decLeft(42, 5).fixedLeft(1500, 3, 7).ch('|').nl();
        l.flush();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(filler + "ab    42   1.500  |\n");
    }
}

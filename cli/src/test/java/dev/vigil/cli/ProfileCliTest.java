package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vigil profile as a user runs it: folded output and an SVG flame graph of a spinning program. */
class ProfileCliTest {
    @TempDir
    Path dir;

    @Test
    void foldedOutputAndFlameGraphOfASpinningProgram() throws Exception {
        KernelTests.assumeKernel();
        Path bin = dir.resolve("busy");
        Path src = Path.of(System.getProperty("user.dir")).getParent().resolve("tools/src/test/c/busy.c");
        Process cc = new ProcessBuilder("gcc", "-O0", "-fno-omit-frame-pointer", "-o", bin.toString(), src.toString()).inheritIO().start();
        assertThat(cc.waitFor(120, TimeUnit.SECONDS) && cc.exitValue() == 0).isTrue();
        Process busy = new ProcessBuilder(bin.toString(), "spin").start();
        assertThat(new String(busy.getInputStream().readNBytes(6))).isEqualTo("ready\n");
        Path svg = dir.resolve("cpu.svg");
        try {
            CliProcess cli = CliProcess.start("profile", "-p", Long.toString(busy.pid()), "-F", "99", "-f", "--svg", svg.toString(), "3");
            assertThat(cli.waitFor(120)).as(cli.err()).isZero();
            String folded = cli.out();
            assertThat(folded).containsPattern("(?m)^busy;__libc_start_call_main;main;spin_here \\d+$");
            assertThat(folded.lines()).allMatch(l -> l.startsWith("busy;"));
            assertThat(cli.err()).contains("Lost 0 events");
        } finally {
            busy.destroyForcibly();
        }
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        var titles = doc.getElementsByTagName("title");
        boolean found = false;
        for (int i = 0; i < titles.getLength(); i++) {
            String t = titles.item(i).getTextContent();
            if (t.startsWith("spin_here (")) {
                found = true;
                double share = Double.parseDouble(t.replaceAll(".*, ([0-9.]+)%\\)$", "$1"));
                assertThat(share).isGreaterThan(80.0);
            }
        }
        assertThat(found).as("spin_here in the flame graph").isTrue();
        assertThat(Files.readString(svg)).contains("CPU profile (99 Hz, 3 s)");
    }

    @Test
    void badValuesExitTwoWithOneLine() throws Exception {
        CliProcess cli = CliProcess.start("profile", "-F", "0");
        assertThat(cli.waitFor(60)).isEqualTo(2);
        assertThat(cli.err().strip()).isEqualTo("vigil profile: -F FREQUENCY must be 1 to 100000 Hz, got 0");
        CliProcess both = CliProcess.start("profile", "-U", "-K");
        assertThat(both.waitFor(60)).isEqualTo(2);
        assertThat(both.err().strip()).isEqualTo("vigil profile: -U and -K are mutually exclusive");
        CliProcess svg = CliProcess.start("profile", "--svg", "/nonexistent-dir/x.svg", "1");
        assertThat(svg.waitFor(60)).isEqualTo(2);
        assertThat(svg.err().strip()).isEqualTo("vigil profile: --svg /nonexistent-dir/x.svg: cannot write a file there");
    }

    @Test
    void offcputimeFoldedAndFlameGraphOfASleepingProgram() throws Exception {
        KernelTests.assumeKernel();
        Path bin = dir.resolve("busy");
        Path src = Path.of(System.getProperty("user.dir")).getParent().resolve("tools/src/test/c/busy.c");
        Process cc = new ProcessBuilder("gcc", "-O0", "-fno-omit-frame-pointer", "-o", bin.toString(), src.toString()).inheritIO().start();
        assertThat(cc.waitFor(120, TimeUnit.SECONDS) && cc.exitValue() == 0).isTrue();
        Process busy = new ProcessBuilder(bin.toString(), "sleep").start();
        assertThat(new String(busy.getInputStream().readNBytes(6))).isEqualTo("ready\n");
        Path svg = dir.resolve("off.svg");
        try {
            CliProcess cli = CliProcess.start("offcputime", "-p", Long.toString(busy.pid()), "-f", "--svg", svg.toString(), "2");
            assertThat(cli.waitFor(120)).as(cli.err()).isZero();
            assertThat(cli.out()).containsPattern("(?m)^busy;.*main;sleep_here;.*;schedule;.* \\d+$");
        } finally {
            busy.destroyForcibly();
        }
        assertThat(Files.readString(svg)).contains("<title>sleep_here (").contains(" us, ");
        CliProcess bad = CliProcess.start("offcputime", "-m", "10", "-M", "5");
        assertThat(bad.waitFor(60)).isEqualTo(2);
        assertThat(bad.err().strip()).isEqualTo("vigil offcputime: -m MIN_BLOCK_TIME (10) is above -M MAX_BLOCK_TIME (5)");
    }
}

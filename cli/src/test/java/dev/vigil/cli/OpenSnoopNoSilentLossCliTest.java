package dev.vigil.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.testing.KernelTests;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No silent loss, end to end through the CLI: a child shell opens a marked file exactly N times while
 * {@code vigil opensnoop -p CHILD} traces it; every one of the N opens must be either printed or counted in
 * {@code Lost N events}. Once with both CPUs kept busy (the reader competes with spinning threads), once with
 * the reader stopped (SIGSTOP) so the 32 MiB ring overflows and the drop counter must account for the rest.
 * Nothing here is timed: the shell's loop runs to its end, then the tool is stopped and its output counted.
 */
class OpenSnoopNoSilentLossCliTest {
    private static final Pattern LOST = Pattern.compile("^Lost (\\d+) events$", Pattern.MULTILINE);

    /** A shell that, once told "go" on stdin, opens FILE exactly N times (one open per redirection). */
    private static Process openLoop(Path file, int n) throws IOException {
        return new ProcessBuilder("/bin/sh", "-c",
                "read go; i=0; while [ $i -lt \"$2\" ]; do : <\"$1\"; i=$((i+1)); done", "sh", file.toString(), Integer.toString(n))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void go(Process loop) throws IOException, InterruptedException {
        try (OutputStream in = loop.getOutputStream()) {
            in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(loop.waitFor(300, TimeUnit.SECONDS)).as("open loop finished").isTrue();
        assertThat(loop.exitValue()).isZero();
    }

    /** The tool, attached (its header follows the last attach), tracing only the loop's process. */
    private static CliProcess traceLoop(Process loop) throws Exception {
        CliProcess cli = CliProcess.start("opensnoop", "-p", Long.toString(loop.pid())).awaitLinks(2);
        assertThat(cli.awaitOut("PATH\n")).as("header: " + cli.err()).contains("PATH\n");
        return cli;
    }

    private static long printed(CliProcess cli, Path file) throws IOException {
        long n = 0;
        String suffix = " " + file;
        try (BufferedReader r = Files.newBufferedReader(cli.stdout, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.endsWith(suffix)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static long reportedLost(CliProcess cli) throws IOException {
        Matcher m = LOST.matcher(cli.err());
        long lost = -1;
        while (m.find()) {
            lost = Long.parseLong(m.group(1));
        }
        assertThat(lost).as("a 'Lost N events' line on exit: " + cli.err()).isGreaterThanOrEqualTo(0);
        return lost;
    }

    private static Path markedFile() throws IOException {
        return Files.createTempFile("vigil-loss-" + UUID.randomUUID(), ".mark");
    }

    @Test
    void underLoadEveryOpenIsPrintedOrCountedLost() throws Exception {
        KernelTests.assumeKernel();
        int n = 100_000;
        Path file = markedFile();
        Process loop = openLoop(file, n);
        AtomicBoolean spinning = new AtomicBoolean(true);
        List<Thread> load = new ArrayList<>();
        try {
            CliProcess cli = traceLoop(loop);
            // every CPU busy (two spinners per CPU): the reader must share them with the load and the loop
            for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
                load.add(Thread.ofPlatform().daemon().start(() -> {
                    long x = 0;
                    while (spinning.get()) {
                        x += System.nanoTime() & 1;
                    }
                    if (x == 42) {
                        System.out.print("");
                    }
                }));
            }
            go(loop);
            spinning.set(false);
            cli.signal("INT");
            assertThat(cli.waitFor(60)).as(cli.err()).isZero();
            long printed = printed(cli, file);
            long lost = reportedLost(cli);
            assertThat(printed + lost).as("printed " + printed + " + lost " + lost).isEqualTo(n);
            assertThat(printed).isPositive();
        } finally {
            spinning.set(false);
            for (Thread t : load) {
                t.join();
            }
            loop.destroyForcibly();
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aStoppedReaderCountsExactlyWhatTheFullRingDropped() throws Exception {
        KernelTests.assumeKernel();
        int n = 150_000; // more records than the 32 MiB ring holds (320 bytes each: 104,857)
        Path file = markedFile();
        Process loop = openLoop(file, n);
        try {
            CliProcess cli = traceLoop(loop);
            cli.signal("STOP");
            try {
                go(loop);
            } finally {
                cli.signal("CONT");
            }
            cli.signal("INT");
            assertThat(cli.waitFor(60)).as(cli.err()).isZero();
            long printed = printed(cli, file);
            long lost = reportedLost(cli);
            assertThat(lost).as("the ring overflowed while the reader was stopped").isPositive();
            assertThat(printed + lost).as("printed " + printed + " + lost " + lost).isEqualTo(n);
        } finally {
            loop.destroyForcibly();
            Files.deleteIfExists(file);
        }
    }
}

package dev.vigil.tools.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The tools' test subjects: C programs under src/test/c built with gcc, run until they say "ready". */
public final class Subjects {
    private Subjects() {}

    public static Path source(String relative) {
        return Path.of(System.getProperty("user.dir")).resolve("src/test").resolve(relative);
    }

    /** gcc -O0 with frame pointers in every function, leaves included (so the kernel can walk user stacks), symbols kept. */
    public static Path compile(Path dir, String name, String... extraFlags) throws Exception {
        Path bin = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O0", "-fno-omit-frame-pointer", "-o", bin.toString()));
        cmd.addAll(List.of(extraFlags));
        cmd.add(source("c/" + name + ".c").toString());
        run(cmd.toArray(String[]::new));
        return bin;
    }

    public static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    /** Starts the command and returns once it printed a line "ready" (its setup is done). */
    public static Process startReady(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null && !line.equals("ready")) {
            // the subject's other output
        }
        if (line == null) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " exited before it was ready");
        }
        return p;
    }

    public static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

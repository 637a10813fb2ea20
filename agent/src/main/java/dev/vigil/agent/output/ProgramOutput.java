package dev.vigil.agent.output;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Alerts piped, one a line, to a command's standard input ({@code sh -c PROGRAM}, Falco's program_output with
 * keep_alive). If the command dies, the write fails, is counted, and the next alert starts it again.
 */
public final class ProgramOutput extends Output {
    private final String program;
    private Process process;

    public ProgramOutput(String program, int capacity) {
        super("program", capacity);
        this.program = program;
    }

    @Override
    protected Writer open() throws IOException {
        if (process != null) process.destroy();
        process = new ProcessBuilder(List.of("/bin/sh", "-c", program))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
    }

    @Override
    protected void closeDestination(Writer w) throws IOException {
        try {
            w.close(); // EOF on the program's stdin: it finishes what it has and exits
        } finally {
            Process p = process;
            if (p != null) {
                try {
                    if (!p.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) p.destroy();
                } catch (InterruptedException e) {
                    p.destroy();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}

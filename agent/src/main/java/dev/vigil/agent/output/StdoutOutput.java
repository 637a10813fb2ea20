package dev.vigil.agent.output;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/** Alerts on standard output (fd 1, unbuffered by the JVM's System.out), flushed after each batch. */
public final class StdoutOutput extends Output {
    public StdoutOutput(int capacity) {
        super("stdout", capacity);
    }

    @Override
    protected Writer open() {
        return new BufferedWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8),
                1 << 16);
    }

    @Override
    protected void closeDestination(Writer w) throws java.io.IOException {
        w.flush(); // never close fd 1
    }
}

package dev.vigil.agent.output;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Alerts appended to a file, reopened on {@link #reopen()} (SIGUSR1) so logrotate can move it away. */
public final class FileOutput extends Output {
    private final Path path;

    public FileOutput(Path path, int capacity) {
        super("file", capacity);
        this.path = path;
    }

    public Path path() { return path; }

    @Override
    protected Writer open() throws IOException {
        return new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(path, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE), StandardCharsets.UTF_8), 1 << 16);
    }

    /** Checks at startup that the file can be opened for append (a clear startup error rather than silent drops). */
    public void checkWritable() throws IOException {
        Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE).close();
    }
}

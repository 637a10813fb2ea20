package dev.vigil.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Watches files (and directories: the names in them) by polling size and mtime once a second, which works on
 * any file system and with editors that replace files; a change runs {@code onChange} on the watch's thread.
 * Rule files, the configuration file and policy files are watched this way.
 */
public final class FileWatch implements AutoCloseable {
    private static final long PERIOD_MS = 1000;
    private final Thread thread;
    private volatile boolean closed;

    private FileWatch(String name, Supplier<List<Path>> paths, Runnable onChange) {
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(() -> loop(paths, onChange));
    }

    /** Starts watching {@code paths} (asked again after each change, so the set may change). */
    public static FileWatch start(String threadName, Supplier<List<Path>> paths, Runnable onChange) {
        FileWatch w = new FileWatch(threadName, paths, onChange);
        w.thread.start();
        return w;
    }

    private void loop(Supplier<List<Path>> paths, Runnable onChange) {
        String last = fingerprint(paths.get());
        while (!closed) {
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
            if (closed) return;
            String now = fingerprint(paths.get());
            if (!now.equals(last)) {
                onChange.run();
                last = fingerprint(paths.get()); // what the change handler saw, or later
            }
        }
    }

    /** The files' (and directory listings') identity as size and mtime; "gone" for a missing one. */
    static String fingerprint(List<Path> paths) {
        StringBuilder sb = new StringBuilder();
        for (Path p : paths) {
            try {
                sb.append(p).append(':').append(Files.getLastModifiedTime(p).toMillis()).append(':');
                if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.list(p)) {
                        s.sorted().forEach(x -> sb.append(x.getFileName()).append(','));
                    }
                } else {
                    sb.append(Files.size(p));
                }
            } catch (IOException e) {
                sb.append(p).append(":gone");
            }
            sb.append(';');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}

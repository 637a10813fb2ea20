package dev.vigil.agent.output;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A bounded on-disk FIFO of alert lines for the HTTP output: appended when the sink is down, read in order by
 * the sender, the read position kept in a side file so that a restart neither loses nor repeats what was
 * delivered. Emptied (truncated) whenever the reader catches up. Thread-safe (one lock).
 */
final class HttpSpool implements AutoCloseable {
    private final RandomAccessFile data;
    private final Path posFile;
    private final long maxBytes;
    private long readPos;

    HttpSpool(Path dir, long maxBytes) throws IOException {
        Files.createDirectories(dir);
        this.data = new RandomAccessFile(dir.resolve("http-spool.jsonl").toFile(), "rw");
        this.posFile = dir.resolve("http-spool.pos");
        this.maxBytes = maxBytes;
        if (Files.exists(posFile)) {
            try {
                readPos = Math.min(Long.parseLong(Files.readString(posFile).trim()), data.length());
            } catch (NumberFormatException e) {
                readPos = 0;
            }
        }
    }

    synchronized boolean pending() throws IOException { return readPos < data.length(); }

    synchronized long bytes() throws IOException { return data.length() - readPos; }

    /** Appends a line; false if the spool is full (the caller counts a drop). */
    synchronized boolean append(String line) throws IOException {
        byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (data.length() - readPos + b.length > maxBytes) return false;
        data.seek(data.length());
        data.write(b);
        notifyAll();
        return true;
    }

    /** The next line without consuming it, or null if empty. */
    synchronized String peek() throws IOException {
        long len = data.length();
        if (readPos >= len) return null;
        data.seek(readPos);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(512);
        byte[] buf = new byte[4096];
        long p = readPos;
        while (p < len) {
            int n = data.read(buf, 0, (int) Math.min(buf.length, len - p));
            if (n <= 0) break;
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    out.write(buf, 0, i);
                    return out.toString(StandardCharsets.UTF_8);
                }
            }
            out.write(buf, 0, n);
            p += n;
        }
        return null; // a torn last line (crash while appending): not yet complete
    }

    /** Consumes the line {@link #peek} returned. */
    synchronized void consume(String line) throws IOException {
        readPos += line.getBytes(StandardCharsets.UTF_8).length + 1;
        if (readPos >= data.length()) {
            data.setLength(0);
            readPos = 0;
        }
        Files.writeString(posFile, Long.toString(readPos));
    }

    /** Waits until something is pending or the timeout passes. */
    synchronized void await(long ms) throws InterruptedException, IOException {
        if (!pending()) wait(ms);
    }

    @Override
    public synchronized void close() throws IOException {
        data.close();
    }
}

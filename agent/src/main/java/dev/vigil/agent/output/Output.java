package dev.vigil.agent.output;

import dev.vigil.rules.output.Alert;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One alert destination with its own bounded queue and thread. {@link #offer} never blocks (it is called on the
 * sensor's reader thread): a full queue counts a drop. A write failure is counted and the output retries with the
 * next alert (after {@link #reopen}), so one failing output never stalls detection or the others.
 */
public abstract class Output implements AutoCloseable {
    private static final String STOP = new String("stop");

    private final String name;
    private final BlockingQueue<String> queue;
    private volatile boolean buffered = true;
    private volatile boolean keepAlive = true;
    private volatile JsonShape shape = JsonShape.FALCO;
    private final Thread thread;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Alerts the output thread has taken from the queue and not yet written (or failed). */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean reopen;
    private volatile boolean closing;
    private volatile boolean abandoned;
    private Writer writer;

    protected Output(String name, int capacity) {
        this.name = name;
        // Falco's outputs_queue.capacity: 0 is unbounded
        this.queue = new LinkedBlockingQueue<>(capacity <= 0 ? Integer.MAX_VALUE : capacity);
        this.thread = Thread.ofPlatform().daemon().name("vigil-output-" + name).unstarted(this::loop);
    }

    /** Opens the destination (called on the output's thread, and again after {@link #reopen}). */
    protected abstract Writer open() throws IOException;

    /**
     * Falco's buffered_outputs (false: each alert flushed as written; true: once per batch) and the output's
     * keep_alive (false: the destination is opened for each alert and closed after it: a file reopened, a program
     * started per alert). Before {@link #start}.
     */
    public final Output configure(boolean buffered, boolean keepAlive) {
        this.buffered = buffered;
        this.keepAlive = keepAlive;
        return this;
    }

    public final Output start() {
        thread.start();
        return this;
    }

    public final String name() { return name; }

    /** Queues one line (without its newline). Never blocks; false and a counted drop if the queue is full. */
    public final boolean offer(String line) {
        if (closing || !queue.offer(line)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** Asks the output to close and reopen its destination before the next write (log rotation). */
    public final void reopen() { reopen = true; }

    public final long written() { return written.get(); }
    public final long dropped() { return dropped.get(); }
    public final long failed() { return failed.get(); }
    public final int depth() { return queue.size(); }

    private void loop() {
        List<String> batch = new ArrayList<>(256);
        while (true) {
            String first;
            try {
                first = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null;
            }
            if (first == null) {
                if (reopen) closeWriter();
                continue;
            }
            batch.clear();
            batch.add(first);
            queue.drainTo(batch, 4096);
            int n = 0;
            for (String line : batch) if (line != STOP) n++;
            inFlight.set(n);
            boolean stop = false;
            if (reopen) closeWriter();
            for (String line : batch) {
                if (line == STOP) {
                    stop = true;
                    break;
                }
                try {
                    if (writer == null) writer = open();
                    writer.write(line);
                    writer.write('\n');
                    if (!keepAlive) closeWriter(); // flushes and closes: the next alert opens again
                    else if (!buffered) writer.flush();
                    written.incrementAndGet();
                } catch (IOException e) {
                    failed.incrementAndGet(); // this alert is lost (counted); the next one reopens the destination
                    closeWriter();
                } finally {
                    inFlight.decrementAndGet();
                }
            }
            try {
                if (writer != null) writer.flush();
            } catch (IOException e) {
                failed.incrementAndGet();
                closeWriter();
            }
            if (stop) {
                closeWriter();
                return;
            }
        }
    }

    private void closeWriter() {
        reopen = false;
        if (writer == null) return;
        try {
            closeDestination(writer);
        } catch (IOException ignored) {
            // counted by the write that failed, if any
        }
        writer = null;
    }

    /**
     * The line this output writes for an alert: {@code text} ("TIME: Priority output") or the JSON alert per
     * json_output; outputs with their own format (HTTP: always JSON; syslog: a priority header) override this.
     * Called on the reader thread for rule alerts.
     */
    public String render(Alert alert, String text, boolean jsonOutput) {
        return jsonOutput ? json(alert) : text;
    }

    /** The alert as Falco's JSON, shaped by json_include_*. */
    protected final String json(Alert alert) { return shape.json(alert); }

    /** Sets the JSON alert's shape (json_include_*). Before {@link #start}. */
    public final Output shape(JsonShape s) {
        this.shape = s;
        return this;
    }

    /** True once {@link #flushAndClose} gave up waiting: a retrying output stops retrying. */
    protected final boolean abandoned() { return abandoned; }

    /** Counts a failed delivery attempt that will be retried (outputs that retry call this). */
    protected final void countFailure() { failed.incrementAndGet(); }

    /** Closes the writer (stdout overrides this to flush only). */
    protected void closeDestination(Writer w) throws IOException {
        w.close();
    }

    /**
     * Stops accepting alerts, writes what is queued and closes, waiting at most {@code timeoutMs}.
     * Returns false if the timeout was hit (what was still queued is lost and counted as dropped).
     */
    public final boolean flushAndClose(long timeoutMs) {
        closing = true;
        try {
            while (!queue.offer(STOP, 50, TimeUnit.MILLISECONDS)) {
                if (!thread.isAlive()) break;
            }
            thread.join(Math.max(1, timeoutMs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            abandoned = true;
            // what is lost: the queued alerts and those the stuck thread holds (counted before interrupting it,
            // which may let it take and fail more of them)
            long lost = inFlight.get();
            for (String line : queue) if (line != STOP) lost++;
            thread.interrupt();
            dropped.addAndGet(lost);
            return false;
        }
        return true;
    }

    @Override
    public void close() {
        flushAndClose(5000);
    }
}

package dev.vigil.tools.testing;

import dev.vigil.ebpf.tool.BpfTool;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Runs a ring-buffer tool on a thread of its own, decoding every record, until closed. */
public final class Collector<E> implements AutoCloseable {
    public interface Decoder<E> {
        E decode(MemorySegment data, long offset);
    }

    private final BpfTool tool;
    private final List<E> events = new ArrayList<>();
    private final Thread thread;

    public Collector(BpfTool tool, Decoder<E> decoder) {
        this.tool = tool;
        this.thread = Thread.ofPlatform().daemon().start(() -> tool.run((data, offset, length) -> {
            E e = decoder.decode(data, offset);
            synchronized (events) {
                events.add(e);
                events.notifyAll();
            }
        }, () -> { }));
    }

    /** The first event matching, waiting for it up to a generous bound (the deadline is not the assertion). */
    public E await(Predicate<E> match) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        synchronized (events) {
            while (true) {
                for (E e : events) {
                    if (match.test(e)) {
                        return e;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no matching event among " + events);
                }
                events.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    public List<E> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Stops the tool (it drains what is left) and waits for the reader. */
    @Override
    public void close() throws InterruptedException {
        tool.stop();
        thread.join(30_000);
        tool.close();
    }
}

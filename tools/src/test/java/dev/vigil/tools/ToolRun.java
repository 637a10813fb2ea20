package dev.vigil.tools;

import dev.vigil.ebpf.tool.BpfTool;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A started tool read on its own thread, collecting every decoded record (for the tools' kernel tests). */
public final class ToolRun<E> implements AutoCloseable {
    /** Decodes one ring record. */
    public interface Decoder<E> {
        E decode(MemorySegment data, long offset, int length);
    }

    private final BpfTool tool;
    private final ConcurrentLinkedQueue<E> events = new ConcurrentLinkedQueue<>();
    private final Thread thread;

    public ToolRun(BpfTool tool, Decoder<E> decoder) {
        this.tool = tool;
        this.thread = Thread.ofPlatform().start(() -> tool.run((d, o, l) -> events.add(decoder.decode(d, o, l)), () -> { }));
    }

    public BpfTool tool() {
        return tool;
    }

    /** The first event matching within 5 s. */
    public Optional<E> await(Predicate<E> p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Optional<E> e = events.stream().filter(p).findFirst();
            if (e.isPresent()) {
                return e;
            }
            Thread.sleep(10);
        }
        return Optional.empty();
    }

    public E awaitOrFail(Predicate<E> p, String what) throws InterruptedException {
        return await(p).orElseThrow(() -> new AssertionError(what + " not seen in " + events.size() + " events"));
    }

    /** After stop() the ring has been drained: what is absent now was never emitted. */
    public List<E> stopAndCollect() throws InterruptedException {
        tool.stop();
        thread.join(5000);
        return List.copyOf(events);
    }

    @Override
    public void close() throws InterruptedException {
        tool.stop();
        thread.join(5000);
        tool.close();
    }
}

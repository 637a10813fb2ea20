package dev.vigil.ebpf.ringbuf;

import dev.vigil.ebpf.BpfException;
import dev.vigil.ebpf.internal.Libc;
import dev.vigil.ebpf.internal.Native;
import dev.vigil.ebpf.map.MapAccess;
import dev.vigil.ebpf.map.MapType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A BPF ring buffer read in pure Java over its mmapped pages (no libbpf callback per record).
 *
 * <p>Protocol (kernel/bpf/ringbuf.c): the consumer page holds consumer_pos (we write it, with release
 * semantics); the producer page holds producer_pos (acquire), followed by the data area mapped twice,
 * so a record never wraps. Each record has an 8-byte header whose first word is the length with the
 * BUSY (bit 31, still being written) and DISCARD (bit 30) flags; records are 8-byte aligned.
 *
 * <p>Wakeups: Vigil's producers submit without waking the reader and force a wakeup only when the ring
 * passes a fill threshold; {@link #poll} therefore waits at most its timeout and then drains whatever
 * is there, so a busy stream costs no wakeup per record and alert latency stays bounded by the timeout.
 *
 * <p>One thread polls; {@link #wakeup()} may be called from any thread (e.g. to stop the poller).
 */
public final class RingBuffer implements AutoCloseable {
    private static final int BUSY_BIT = 1 << 31;
    private static final int DISCARD_BIT = 1 << 30;
    private static final int HEADER_SIZE = 8;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final long WAKE_TOKEN = 1;

    private final String name;
    private final Arena arena;
    private final MemorySegment consumer;
    private final MemorySegment producer;
    /*
     * The same pages as global-scope segments, for the drain loop only: every access through the shared arena's
     * segments checks the arena is still open (a volatile read; the top item of a JFR profile at 1.5 M records/s).
     * Safe because drains run under pollLock and close() unmaps only while holding it; handlers must not keep
     * the segment past their callback (RecordHandler's contract).
     */
    private final MemorySegment consumerView;
    private final MemorySegment producerView;
    private final long dataSize;
    private final long mask;
    private final long dataStart;
    private final int epollFd;
    private final int wakeFd;
    private final MemorySegment events;
    private final MemorySegment errno;
    private final MemorySegment wakeBuf;
    private final ReentrantLock pollLock = new ReentrantLock();
    private volatile boolean closed;
    private long records;
    private long discarded;

    private RingBuffer(String name, Arena arena, MemorySegment consumer, MemorySegment producer, long dataSize,
            long pageSize, int epollFd, int wakeFd) {
        this.name = name;
        this.arena = arena;
        this.consumer = consumer;
        this.producer = producer;
        this.consumerView = MemorySegment.ofAddress(consumer.address()).reinterpret(consumer.byteSize());
        this.producerView = MemorySegment.ofAddress(producer.address()).reinterpret(producer.byteSize());
        this.dataSize = dataSize;
        this.mask = dataSize - 1;
        this.dataStart = pageSize;
        this.epollFd = epollFd;
        this.wakeFd = wakeFd;
        this.events = arena.allocate(12L * 4, 8);
        this.errno = Native.newErrnoState(arena);
        this.wakeBuf = arena.allocate(8, 8);
    }

    private volatile long peakPending; // written by the reader only

    /** Maps the ring of a loaded {@link MapType#RINGBUF} map (an object's, or one opened from its pin). */
    public static RingBuffer open(MapAccess map) {
        if (map.type() != MapType.RINGBUF) {
            throw new BpfException("map '" + map.name() + "' is a " + map.type() + ", not a ring buffer");
        }
        int fd = map.fd();
        long size = Integer.toUnsignedLong(map.maxEntries());
        long page = Libc.pageSize();
        Arena arena = Arena.ofShared();
        int epfd = -1;
        int efd = -1;
        try {
            MemorySegment err = Native.newErrnoState(arena);
            MemorySegment cons = Libc.mmap(err, page, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
            if (cons.address() == Libc.MAP_FAILED) {
                throw new BpfException("ring buffer '" + map.name() + "': cannot map the consumer page", Native.errno(err));
            }
            cons = cons.reinterpret(page, arena, s -> Libc.munmap(s, page));
            long prodLen = page + 2 * size;
            MemorySegment prod = Libc.mmap(err, prodLen, Libc.PROT_READ, Libc.MAP_SHARED, fd, page);
            if (prod.address() == Libc.MAP_FAILED) {
                throw new BpfException("ring buffer '" + map.name() + "': cannot map the data pages", Native.errno(err));
            }
            prod = prod.reinterpret(prodLen, arena, s -> Libc.munmap(s, prodLen));
            epfd = Libc.epollCreate1(err, Libc.EPOLL_CLOEXEC);
            if (epfd < 0) {
                throw new BpfException("ring buffer '" + map.name() + "': epoll_create1", Native.errno(err));
            }
            efd = Libc.eventfd(err, 0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
            if (efd < 0) {
                throw new BpfException("ring buffer '" + map.name() + "': eventfd", Native.errno(err));
            }
            addToEpoll(arena, err, epfd, fd, 0, map.name());
            addToEpoll(arena, err, epfd, efd, WAKE_TOKEN, map.name());
            return new RingBuffer(map.name(), arena, cons, prod, size, page, epfd, efd);
        } catch (RuntimeException e) {
            if (epfd >= 0) {
                Libc.close(epfd);
            }
            if (efd >= 0) {
                Libc.close(efd);
            }
            arena.close();
            throw e;
        }
    }

    private static void addToEpoll(Arena arena, MemorySegment err, int epfd, int fd, long token, String name) {
        MemorySegment ev = arena.allocate(12, 4); // struct epoll_event is packed on x86-64
        ev.set(ValueLayout.JAVA_INT_UNALIGNED, 0, Libc.EPOLLIN);
        ev.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, token);
        if (Libc.epollCtl(err, epfd, Libc.EPOLL_CTL_ADD, fd, ev) != 0) {
            throw new BpfException("ring buffer '" + name + "': epoll_ctl", Native.errno(err));
        }
    }

    public String name() {
        return name;
    }

    /** Size of the data area in bytes. */
    public long capacity() {
        return dataSize;
    }

    /** Bytes written by the kernel and not yet consumed. */
    public long pending() {
        ensureOpen();
        return (long) LONG.getAcquire(producer, 0L) - (long) LONG.getAcquire(consumer, 0L);
    }

    /**
     * The most bytes found waiting since open (at the start of a drain, and each time a drain catches up with
     * the producer): how close the ring came to full (a peak near {@link #capacity()} means drops were near, or
     * happened). Read from any thread.
     */
    public long peakPending() {
        return peakPending;
    }

    /** Records delivered to handlers since open. */
    public long recordsConsumed() {
        return records;
    }

    /** Records the producer reserved and then discarded (skipped, not delivered). */
    public long recordsDiscarded() {
        return discarded;
    }

    /**
     * Drains what is there; if nothing was, waits up to {@code timeoutMs} (or until a forced wakeup or
     * {@link #wakeup()}) and drains again. Returns the records delivered.
     */
    public int poll(int timeoutMs, RecordHandler handler) {
        pollLock.lock();
        try {
            ensureOpen();
            int n = drainLocked(handler);
            if (n > 0 || timeoutMs == 0) {
                return n;
            }
            int ready = Libc.epollWait(errno, epollFd, events, 4, timeoutMs);
            if (ready < 0 && Native.errno(errno) != Libc.EINTR) {
                throw new BpfException("ring buffer '" + name + "': epoll_wait", Native.errno(errno));
            }
            for (int i = 0; i < ready; i++) {
                if (events.get(ValueLayout.JAVA_LONG_UNALIGNED, 12L * i + 4) == WAKE_TOKEN) {
                    Libc.read(errno, wakeFd, wakeBuf, 8); // reset the eventfd
                }
            }
            if (closed) {
                return 0;
            }
            return drainLocked(handler);
        } finally {
            pollLock.unlock();
        }
    }

    /** Delivers every complete record available now, without waiting. */
    public int drain(RecordHandler handler) {
        pollLock.lock();
        try {
            ensureOpen();
            return drainLocked(handler);
        } finally {
            pollLock.unlock();
        }
    }

    /**
     * For the end of a stream, once every producer is detached: delivers records until the ring is empty,
     * waiting out a record a producer reserved but has not committed yet (BUSY) instead of stopping at it, as
     * {@link #drain} does. Gives up after {@code timeoutMs} (a BPF program cannot hold a reservation for long)
     * and returns the bytes left behind, 0 when the ring was emptied.
     */
    public long drainToEnd(RecordHandler handler, long timeoutMs) {
        pollLock.lock();
        try {
            ensureOpen();
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            while (true) {
                drainLocked(handler);
                long left = (long) LONG.getAcquire(producerView, 0L) - (long) LONG.getAcquire(consumerView, 0L);
                if (left <= 0) {
                    return 0;
                }
                if (System.nanoTime() - deadline > 0) {
                    return left;
                }
                Thread.onSpinWait();
            }
        } finally {
            pollLock.unlock();
        }
    }

    /**
     * Records consumed between two stores of the consumer position. The kernel reads that position at every
     * reserve, on the producing CPU: a store per record made each reserve a cache miss on the line the reader had
     * just written (issue #17). The space a batch holds back is small against the ring (the wakeup threshold
     * is a quarter of it), and the position is stored at the end of every drain.
     */
    private static final int PUBLISH_EVERY = 16;

    private int drainLocked(RecordHandler handler) {
        final MemorySegment data = producerView;
        final MemorySegment consumer = consumerView;
        long cons = (long) LONG.getAcquire(consumer, 0L);
        long prod = (long) LONG.getAcquire(data, 0L);
        if (prod - cons > peakPending) peakPending = prod - cons;
        int delivered = 0, unpublished = 0;
        try {
            while (cons < prod) {
                long header = dataStart + (cons & mask);
                int len = (int) INT.getAcquire(data, header);
                if ((len & BUSY_BIT) != 0) {
                    break; // the producer has not committed this record yet: records are consumed in order
                }
                int sampleLen = len & ~(BUSY_BIT | DISCARD_BIT);
                long next = cons + ((sampleLen + HEADER_SIZE + 7) & ~7L);
                try {
                    if ((len & DISCARD_BIT) == 0) {
                        delivered++;
                        handler.onRecord(data, header + HEADER_SIZE, sampleLen);
                    } else {
                        discarded++;
                    }
                } finally {
                    cons = next; // (a handler's failure skips its record)
                }
                if (++unpublished == PUBLISH_EVERY) {
                    unpublished = 0;
                    LONG.setRelease(consumer, 0L, cons);
                }
                if (cons >= prod) {
                    prod = (long) LONG.getAcquire(data, 0L);
                    // a long drain can meet a ring that filled meanwhile: the peak is taken here too, not only at the start
                    if (prod - cons > peakPending) peakPending = prod - cons;
                }
            }
        } finally {
            LONG.setRelease(consumer, 0L, cons);
            records += delivered;
        }
        return delivered;
    }

    /** Makes a waiting {@link #poll} return now; safe from any thread. */
    public void wakeup() {
        if (closed) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            Libc.write(Native.newErrnoState(a), wakeFd, one, 8);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("ring buffer '" + name + "' is closed");
        }
    }

    /** Unmaps the ring; a poll in progress is woken and finishes first. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        wakeup();
        closed = true;
        pollLock.lock();
        try {
            Libc.close(epollFd);
            Libc.close(wakeFd);
            arena.close();
        } finally {
            pollLock.unlock();
        }
    }
}

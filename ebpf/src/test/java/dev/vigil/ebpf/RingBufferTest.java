package dev.vigil.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ebpf.link.Link;
import dev.vigil.ebpf.map.BpfMap;
import dev.vigil.ebpf.ringbuf.RingBuffer;
import dev.vigil.ebpf.testing.KernelTests;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RingBufferTest {
    private static final long SEQ = TestObjects.TEST_RECORD.field("seq").offset();
    private static final long PID = TestObjects.TEST_RECORD.field("pid").offset();

    @BeforeEach
    void kernel() {
        KernelTests.assumeKernel();
    }

    /** Receives records, checking each is the next sequence number unless drops were counted in between. */
    private static final class Receiver {
        long received;
        long lastSeq = -1;
        long gaps;
        boolean badPid;
        final int pid = (int) ProcessHandle.current().pid();

        void onRecord(MemorySegment data, long offset, int length) {
            long seq = data.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + SEQ);
            if (data.get(ValueLayout.JAVA_INT_UNALIGNED, offset + PID) != pid || length != 64) {
                badPid = true;
            }
            gaps += seq - lastSeq - 1;
            lastSeq = seq;
            received++;
        }
    }

    private static long producedCounter(BpfObject obj) {
        // .bss is a one-entry array map holding the globals
        BpfMap bss = obj.maps().stream().filter(m -> m.name().endsWith(".bss")).findFirst().orElseThrow();
        return BpfMap.readU64(bss.lookup(BpfMap.u32(0)).orElseThrow(), 0);
    }

    @Test
    void aBurstOf200kRecordsIsReceivedWholeOrItsLossesAreCountedExactly() throws Exception {
        try (BpfObject obj = TestObjects.openMaps()) {
            obj.setConstant("target_tgid", ProcessHandle.current().pid());
            obj.setConstant("records_per_call", 1000);
            obj.setConstant("vigil_wakeup_bytes", 64 * 1024);
            obj.load();
            TestObjects.TEST_RECORD.verify(obj.btf());
            Receiver r = new Receiver();
            AtomicBoolean done = new AtomicBoolean();
            try (RingBuffer ring = RingBuffer.open(obj.map("ring"));
                 Link link = obj.program("burst").attachTracepoint("syscalls", "sys_enter_getppid")) {
                Thread consumer = Thread.ofPlatform().start(() -> {
                    while (!done.get()) {
                        ring.poll(2, r::onRecord);
                    }
                    ring.drain(r::onRecord);
                });
                for (int i = 0; i < 200; i++) {
                    KernelTests.getppid();
                }
                link.close();
                done.set(true);
                ring.wakeup();
                consumer.join();
                assertThat(ring.pending()).isZero();
            }
            long produced = producedCounter(obj);
            long drops = obj.map("vigil_drops").sumPerCpuLong(0);
            assertThat(produced).isEqualTo(200_000);
            assertThat(r.badPid).isFalse();
            assertThat(r.received + drops).isEqualTo(produced);
            long trailing = produced - 1 - r.lastSeq; // drops after the last record received are not gaps
            assertThat(r.gaps + trailing).as("missing sequence numbers must be exactly the counted drops").isEqualTo(drops);
            System.out.printf("burst: produced=%d received=%d dropped=%d%n", produced, r.received, drops);
        }
    }

    @Test
    void aFullRingDropsAndCountsWithoutAConsumer() {
        try (BpfObject obj = TestObjects.openMaps()) {
            obj.setConstant("target_tgid", ProcessHandle.current().pid());
            obj.setConstant("records_per_call", 4096);
            obj.load();
            try (RingBuffer ring = RingBuffer.open(obj.map("ring"))) {
                try (Link link = obj.program("burst").attachTracepoint("syscalls", "sys_enter_getppid")) {
                    KernelTests.getppid();
                }
                long drops = obj.map("vigil_drops").sumPerCpuLong(0);
                Receiver r = new Receiver();
                ring.drain(r::onRecord);
                // 256 KiB holds 3640 records of 64 + 8 bytes: the rest of the 4096 must be counted drops
                assertThat(r.received).isEqualTo(256 * 1024 / 72);
                assertThat(r.received + drops).isEqualTo(4096);
                assertThat(r.gaps).isZero(); // drops were all at the end
                // the drain found the ring full, to the last whole record: the peak says so
                assertThat(ring.peakPending()).isEqualTo(256L * 1024 / 72 * 72);
                assertThat(ring.pending()).isZero();
            }
        }
    }

    @Test
    void onlyCrossingTheFillThresholdWakesAWaitingReader() throws Exception {
        try (BpfObject obj = TestObjects.openMaps()) {
            obj.setConstant("target_tgid", ProcessHandle.current().pid());
            obj.setConstant("records_per_call", 50); // 50 x 72 bytes = 3600 per getppid
            obj.setConstant("vigil_wakeup_bytes", 8192);
            obj.load();
            try (RingBuffer ring = RingBuffer.open(obj.map("ring"));
                 Link link = obj.program("burst").attachTracepoint("syscalls", "sys_enter_getppid")) {
                Receiver r = new Receiver();
                java.util.concurrent.CountDownLatch returned = new java.util.concurrent.CountDownLatch(1);
                Thread reader = Thread.ofPlatform().start(() -> {
                    ring.poll(20_000, r::onRecord);
                    returned.countDown();
                });
                Thread.sleep(100); // the reader is now asleep in epoll_wait
                KernelTests.getppid();
                assertThat(returned.await(300, java.util.concurrent.TimeUnit.MILLISECONDS))
                        .as("3600 bytes, below the threshold: no wakeup, the reader sleeps on").isFalse();
                KernelTests.getppid();
                KernelTests.getppid(); // 10800 bytes: crosses 8192
                assertThat(returned.await(5, java.util.concurrent.TimeUnit.SECONDS))
                        .as("crossing the threshold wakes the reader long before its 20 s timeout").isTrue();
                reader.join();
                ring.drain(r::onRecord);
                assertThat(r.received).isEqualTo(150);
            }
        }
    }

    @Test
    void pollReturnsAfterItsTimeoutWhenIdleAndWakeupInterruptsIt() {
        try (BpfObject obj = TestObjects.openMaps()) {
            obj.load();
            try (RingBuffer ring = RingBuffer.open(obj.map("ring"))) {
                long t0 = System.nanoTime();
                assertThat(ring.poll(50, (d, o, l) -> { })).isZero();
                assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(40_000_000L);
                ring.wakeup();
                long t1 = System.nanoTime();
                ring.poll(10_000, (d, o, l) -> { });
                assertThat(System.nanoTime() - t1).isLessThan(5_000_000_000L);
            }
        }
    }

    @Test
    void aClosedRingRefusesUse() {
        try (BpfObject obj = TestObjects.openMaps()) {
            obj.load();
            RingBuffer ring = RingBuffer.open(obj.map("ring"));
            ring.close();
            ring.close();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ring.drain((d, o, l) -> { }))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }
}

package dev.vigil.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.agent.alert.Dedup;
import dev.vigil.agent.alert.TokenBucket;
import dev.vigil.agent.output.Output;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The agent's parts that need no kernel: token bucket, dedup, output queues. */
class PureTest {
    @Test
    void tokenBucketAllowsTheBurstThenTheRate() throws Exception {
        TokenBucket b = new TokenBucket(10, 3);
        long t = 1_000_000_000L;
        assertThat(b.tryTake(t)).isTrue();
        assertThat(b.tryTake(t)).isTrue();
        assertThat(b.tryTake(t)).isTrue();
        assertThat(b.tryTake(t + 50_000_000L)).isFalse(); // 10/s: half a token back
        assertThat(b.tryTake(t - 1_000_000_000L)).isFalse(); // a step back adds nothing
        assertThat(b.tryTake(t + 150_000_000L)).isTrue(); // one and a half
        assertThat(b.tryTake(t + 150_000_000L)).isFalse();
        assertThat(new TokenBucket(0, 1).unlimited()).isTrue();
    }

    @Test
    void dedupSuppressesIdenticalOutputWithinTheWindowAndCountsIt() throws Exception {
        Dedup d = new Dedup(0.2);
        long t = 5_000_000_000L;
        assertThat(d.check("r", "out", t)).isZero();
        assertThat(d.check("r", "out", t + 1)).isEqualTo(-1);
        assertThat(d.check("r", "out", t + 199_000_000L)).isEqualTo(-1);
        assertThat(d.check("r", "other", t + 2)).isZero();
        assertThat(d.check("r2", "out", t + 3)).isZero();
        // emitted again once the window is over, with the count of what was suppressed
        assertThat(d.check("r", "out", t + 250_000_000L)).isEqualTo(2);
        assertThat(new Dedup(0).enabled()).isFalse();
    }

    /** An output whose destination blocks until released. */
    static final class Stuck extends Output {
        final CountDownLatch release = new CountDownLatch(1);
        final StringWriter sink = new StringWriter();

        Stuck(int capacity) {
            super("stuck", capacity);
        }

        @Override
        protected Writer open() {
            return new Writer() {
                @Override
                public void write(char[] c, int off, int len) throws IOException {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    sink.write(c, off, len);
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };
        }
    }

    @Test
    void aStuckOutputNeverBlocksTheCallerAndCountsWhatItDrops() throws Exception {
        Stuck o = new Stuck(4);
        o.start();
        long t0 = System.nanoTime();
        int accepted = 0;
        for (int i = 0; i < 100; i++) if (o.offer("alert " + i)) accepted++;
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(500);
        assertThat(o.dropped()).isEqualTo(100 - accepted);
        assertThat(accepted).isBetween(4, 5 + 4); // the queue, plus what the thread took before it stuck
        o.release.countDown();
        assertThat(o.flushAndClose(5000)).isTrue();
        assertThat(o.written()).isEqualTo(accepted);
        assertThat(o.sink.toString()).startsWith("alert 0\n");
    }

    @Test
    void flushTimeoutIsReportedAndCounted() throws Exception {
        Stuck o = new Stuck(8);
        o.start();
        for (int i = 0; i < 8; i++) o.offer("a" + i);
        assertThat(o.flushAndClose(200)).isFalse();
        assertThat(o.dropped()).isPositive();
        o.release.countDown();
    }
}

package dev.vigil.agent.alert;

/**
 * A token bucket (rate per second, burst) on a caller-given clock, so that a replay on the events' own
 * timestamps limits exactly as the live run did. Single-threaded (the reader thread). rate 0: unlimited.
 */
public final class TokenBucket {
    private final double ratePerNs;
    private final double burst;
    private double tokens;
    private long last = Long.MIN_VALUE;

    public TokenBucket(double ratePerSecond, int burst) {
        this.ratePerNs = ratePerSecond / 1e9;
        this.burst = Math.max(1, burst);
        this.tokens = this.burst;
    }

    public boolean unlimited() { return ratePerNs == 0; }

    /** Takes a token at time {@code nowNanos} (any monotonic nanosecond clock; a step back adds nothing). */
    public boolean tryTake(long nowNanos) {
        if (ratePerNs == 0) return true;
        if (last == Long.MIN_VALUE) last = nowNanos;
        if (nowNanos > last) {
            tokens = Math.min(burst, tokens + (nowNanos - last) * ratePerNs);
            last = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}

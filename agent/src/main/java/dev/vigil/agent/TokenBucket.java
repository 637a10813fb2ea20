package dev.vigil.agent;

/** A token bucket (rate per second, burst); single-threaded (the reader thread). rate 0: unlimited. */
final class TokenBucket {
    private final double ratePerNs;
    private final double burst;
    private double tokens;
    private long last;

    TokenBucket(double ratePerSecond, int burst) {
        this.ratePerNs = ratePerSecond / 1e9;
        this.burst = Math.max(1, burst);
        this.tokens = this.burst;
        this.last = System.nanoTime();
    }

    boolean unlimited() { return ratePerNs == 0; }

    boolean tryTake() {
        if (ratePerNs == 0) return true;
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNs);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}

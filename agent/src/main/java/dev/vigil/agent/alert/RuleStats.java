package dev.vigil.agent.alert;

import dev.vigil.rules.Priority;
import java.util.concurrent.atomic.AtomicLong;

/** One rule's alert counters (read by /metrics from any thread) and its token bucket (reader thread only). */
public final class RuleStats {
    public final String rule;
    public final Priority priority;
    public final AtomicLong alerts = new AtomicLong();
    public final AtomicLong rateLimited = new AtomicLong();
    public final AtomicLong deduplicated = new AtomicLong();
    final TokenBucket bucket;

    RuleStats(String rule, Priority priority, TokenBucket bucket) {
        this.rule = rule;
        this.priority = priority;
        this.bucket = bucket;
    }
}

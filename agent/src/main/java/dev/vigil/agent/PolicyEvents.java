package dev.vigil.agent;

import dev.vigil.events.EventView;
import dev.vigil.policy.PolicyEvent;
import dev.vigil.rules.output.Json;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * The enforcers' events (flows, denials) as JSON lines: the most recent kept in a bounded buffer for
 * {@code GET /flows}, followers fed as they come, and the agent's outputs given each line. Bounded everywhere: a full
 * buffer forgets the oldest, a slow follower's full queue counts drops instead of blocking the enforcer's reader.
 * A decision rules can match (a denied connection) goes on to the rules as well.
 */
final class PolicyEvents implements Consumer<PolicyEvent> {
    static final int DEFAULT_CAPACITY = 4096;
    static final int FOLLOWER_QUEUE = 8192;

    private final int capacity;
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private final List<LinkedBlockingQueue<String>> followers = new CopyOnWriteArrayList<>();
    private final Consumer<String> outputs;
    private final Consumer<EventView> rules;
    private final java.util.concurrent.atomic.AtomicLong followerDrops = new java.util.concurrent.atomic.AtomicLong();

    PolicyEvents(int capacity, Consumer<String> outputs, Consumer<EventView> rules) {
        this.capacity = capacity;
        this.outputs = outputs;
        this.rules = rules;
    }

    @Override
    public void accept(PolicyEvent e) {
        StringBuilder sb = new StringBuilder(512);
        Json.value(sb, e.fields());
        String line = sb.toString();
        synchronized (recent) {
            if (recent.size() == capacity) recent.removeFirst();
            recent.addLast(line);
        }
        for (LinkedBlockingQueue<String> q : followers) {
            if (!q.offer(line)) followerDrops.incrementAndGet();
        }
        outputs.accept(line);
        EventView ruleEvent = e.ruleEvent();
        if (ruleEvent != null) rules.accept(ruleEvent);
    }

    List<String> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    /** A queue fed every new line until {@link #unfollow}. */
    LinkedBlockingQueue<String> follow() {
        LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>(FOLLOWER_QUEUE);
        followers.add(q);
        return q;
    }

    void unfollow(LinkedBlockingQueue<String> q) {
        followers.remove(q);
    }

    long followerDrops() {
        return followerDrops.get();
    }
}

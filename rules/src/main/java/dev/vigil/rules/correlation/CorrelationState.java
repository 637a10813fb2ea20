package dev.vigil.rules.correlation;

import dev.vigil.events.EventView;
import dev.vigil.rules.correlation.Correlation.Kind;
import dev.vigil.rules.fields.Extractor;
import dev.vigil.rules.fields.FieldRegistry;
import dev.vigil.rules.output.Alert;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One correlation's state: a bounded table of group keys (least recently used evicted), and per key the window
 * that slides on the events' timestamps. Offering an event is O(1) and, once the table is warm, allocation-free
 * until an alert is built. Not thread-safe: one thread evaluates (the agent's reader thread); counters are read racily.
 */
final class CorrelationState {
    private static final long NONE = Long.MIN_VALUE;
    /** How many distinct values {@code %corr.values} shows. */
    static final int SAMPLE_MAX = 10;
    /** Per-key tables start this small and double up to the threshold: most keys never see more than a few events. */
    static final int INITIAL = 4;

    /** The key table starts this small and doubles up to max_keys: most correlations track a handful of keys. */
    static final int INITIAL_KEYS = 64;

    final Correlation c;
    private LruTable keys;
    private Slot[] slots;
    /** Evictions of the tables this one grew from (none: a table only grows while it has room to). */
    private long evictionsBefore;
    long alerts;
    long suppressed;

    /** Per key. Arrays are allocated once per slot and reused when the slot is evicted and taken again. */
    private static final class Slot {
        long lastTs;
        long suppressUntil = NONE;
        long suppressed;
        // event_count: the timestamps of the last `threshold` events, a ring
        long[] ring;
        int ringHead, ringCount;
        // value_count: the distinct values in the window, by last seen
        LruTable values;
        long[] seen;
        final StringBuilder sample = new StringBuilder();
        int sampleCount;
        // sequence: per step, the start time of the newest chain that reached it, and the kept fields
        long[] stepStart;
        Kept[][] kept;
        int count;
    }

    CorrelationState(Correlation c) {
        this.c = c;
        this.keys = new LruTable(Math.min(INITIAL_KEYS, c.maxKeys()));
        this.slots = new Slot[keys.capacity()];
    }

    int keys() { return keys.size(); }

    long evictions() { return evictionsBefore + keys.evictions(); }

    /**
     * Doubles the key table (up to max_keys), keeping the LRU order and each key's slot. Allocates: only while the
     * number of keys grows past a power of two; a full table of max_keys evicts instead.
     */
    private void growKeys() {
        LruTable old = keys;
        LruTable t = new LruTable(Math.min(c.maxKeys(), old.capacity() * 2));
        Slot[] ns = new Slot[t.capacity()];
        for (int o = old.oldest(); o >= 0; o = old.oldest()) {
            long k = old.keyOf(o);
            Slot sl = slots[o];
            old.removeId(o);
            ns[t.add(k)] = sl;
        }
        evictionsBefore += old.evictions();
        keys = t;
        slots = ns;
    }

    /** Offers an event that matched step {@code j}; returns the alert it completes, or null. */
    Alert offer(int j, EventView e, String hostname) {
        long key = KeyHash.of(c.step(j).key, e);
        if (key == KeyHash.NO_KEY) return null;
        long t = e.timestamp();
        int id = keys.find(key);
        Slot s;
        if (id >= 0) {
            keys.touch(id);
            s = slots[id];
            if (t < s.lastTs) t = s.lastTs; // per key, time never runs backwards (events of other CPUs can lag)
        } else {
            if (c.kind() == Kind.SEQUENCE && j > 0) return null; // only a first step starts a key
            if (keys.size() == keys.capacity() && keys.capacity() < c.maxKeys()) growKeys();
            id = keys.add(key);
            s = slots[id];
            if (s == null) s = slots[id] = newSlot();
            reset(s);
            s.suppressUntil = NONE;
            s.suppressed = 0;
        }
        if (s.lastTs != NONE && t - s.lastTs >= c.windowNanos()) reset(s); // idle for a window: nothing in it
        s.lastTs = t;
        return switch (c.kind()) {
            case EVENT_COUNT -> count(s, t, e, hostname);
            case VALUE_COUNT -> distinct(s, t, e, hostname);
            case SEQUENCE -> sequence(s, j, t, e, hostname);
        };
    }

    private Slot newSlot() {
        Slot s = new Slot();
        switch (c.kind()) {
            case EVENT_COUNT -> s.ring = new long[Math.min(INITIAL, c.threshold())];
            case VALUE_COUNT -> {
                s.values = new LruTable(Math.min(INITIAL, c.threshold()));
                s.seen = new long[s.values.capacity()];
            }
            case SEQUENCE -> {
                int n = c.stepCount();
                s.stepStart = new long[n];
                s.kept = new Kept[n][];
                for (int i = 0; i < n; i++) {
                    int k = c.step(i).kept.length;
                    s.kept[i] = new Kept[k];
                    for (int q = 0; q < k; q++) s.kept[i][q] = new Kept();
                }
            }
        }
        return s;
    }

    /** Empties the window (not the suppression). */
    private void reset(Slot s) {
        s.lastTs = NONE;
        s.ringHead = s.ringCount = 0;
        if (s.values != null) s.values.clear();
        s.sample.setLength(0);
        s.sampleCount = 0;
        s.count = 0;
        if (s.stepStart != null) java.util.Arrays.fill(s.stepStart, NONE);
    }

    /** During the window after an alert, repeats are counted, not alerted. */
    private boolean suppressing(Slot s, long t) {
        if (s.suppressUntil != NONE && t < s.suppressUntil) {
            s.suppressed++;
            suppressed++;
            return true;
        }
        return false;
    }

    private Alert count(Slot s, long t, EventView e, String hostname) {
        if (suppressing(s, t)) return null;
        int n = c.threshold();
        long[] r = s.ring;
        if (s.ringCount == r.length && r.length < n && t - r[s.ringHead] < c.windowNanos()) {
            r = growRing(s, n); // full, and its oldest still in the window: keep it (an expired one may be overwritten)
        }
        // the ring holds the last r.length timestamps; the oldest is overwritten
        int len = r.length;
        r[s.ringHead] = t;
        s.ringHead = s.ringHead + 1 == len ? 0 : s.ringHead + 1;
        if (s.ringCount < len) s.ringCount++;
        if (s.ringCount < n) return null;
        long oldest = r[s.ringHead]; // after the advance, the head is the oldest of the n
        if (t - oldest >= c.windowNanos()) return null;
        s.count = n;
        return fire(s, t, e, hostname);
    }

    /** Doubles a full ring (up to the threshold), oldest first. Allocates: only while a key's count grows. */
    private static long[] growRing(Slot s, int threshold) {
        long[] old = s.ring;
        long[] r = new long[Math.min(threshold, old.length * 2)];
        for (int i = 0; i < old.length; i++) r[i] = old[(s.ringHead + i) % old.length];
        s.ringHead = old.length;
        s.ring = r;
        return r;
    }

    /** Doubles a full value table (up to the threshold), keeping the order. Allocates: only while a key's set grows. */
    private static void growValues(Slot s, int threshold) {
        LruTable old = s.values;
        LruTable v = new LruTable(Math.min(threshold, old.capacity() * 2));
        long[] seen = new long[v.capacity()];
        for (int o = old.oldest(); o >= 0; o = old.oldest()) {
            long k = old.keyOf(o);
            long ts = s.seen[o];
            old.removeId(o);
            seen[v.add(k)] = ts;
        }
        s.values = v;
        s.seen = seen;
    }

    private Alert distinct(Slot s, long t, EventView e, String hostname) {
        if (suppressing(s, t)) return null;
        Extractor[] d = c.distinct();
        long v = KeyHash.of(d, e);
        if (v == KeyHash.NO_KEY) return null;
        LruTable vals = s.values;
        // values last seen a window ago or more have left it
        for (int o = vals.oldest(); o >= 0 && t - s.seen[o] >= c.windowNanos(); o = vals.oldest()) vals.removeId(o);
        if (vals.size() == 0) {
            s.sample.setLength(0);
            s.sampleCount = 0;
        }
        int id = vals.find(v);
        if (id >= 0) {
            vals.touch(id);
            s.seen[id] = t;
            return null;
        }
        if (vals.size() + 1 >= c.threshold()) {
            addSample(s, d, e);
            s.count = vals.size() + 1;
            return fire(s, t, e, hostname);
        }
        if (vals.size() == vals.capacity()) {
            growValues(s, c.threshold());
            vals = s.values;
        }
        id = vals.add(v);
        s.seen[id] = t;
        addSample(s, d, e);
        return null;
    }

    private static void addSample(Slot s, Extractor[] d, EventView e) {
        if (s.sampleCount >= SAMPLE_MAX) return;
        StringBuilder sb = s.sample;
        if (s.sampleCount > 0) sb.append(',');
        for (int i = 0; i < d.length; i++) {
            if (i > 0) sb.append(':');
            d[i].append(e, sb);
        }
        s.sampleCount++;
    }

    private Alert sequence(Slot s, int j, long t, EventView e, String hostname) {
        int last = c.stepCount() - 1;
        if (j == 0) {
            s.stepStart[0] = t;
        } else {
            long start = s.stepStart[j - 1];
            if (start == NONE || t - start >= c.windowNanos()) return null;
            s.stepStart[j] = start;
        }
        if (j < last) {
            keep(s, j, e);
            return null;
        }
        java.util.Arrays.fill(s.stepStart, NONE);
        if (suppressing(s, t)) return null;
        return fire(s, t, e, hostname);
    }

    private void keep(Slot s, int j, EventView e) {
        Extractor[] k = c.step(j).kept;
        for (int q = 0; q < k.length; q++) s.kept[j][q].capture(k[q], e);
    }

    /** Builds the alert (this allocates: alerts are rare), then starts the suppression window. */
    private Alert fire(Slot s, long t, EventView e, String hostname) {
        long before = s.suppressed;
        Values v = new Values(s, before);
        StringBuilder sb = new StringBuilder(256);
        sb.append(FieldRegistry.formatTime(e.timestamp())).append(": ").append(c.priority().display()).append(' ');
        c.output().appendTo(e, v, sb);
        if (before > 0) sb.append(" (").append(before).append(" repeats suppressed)");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("evt.time", e.timestamp());
        c.output().putValues(e, v, fields);
        fields.putIfAbsent("corr.count", (long) s.count);
        if (before > 0) fields.putIfAbsent("corr.suppressed", before);
        alerts++;
        s.suppressUntil = t + c.windowNanos();
        s.suppressed = 0;
        reset(s);
        s.lastTs = t;
        return new Alert(e.timestamp(), c.name(), c.priority(), "syscall", c.tags(), sb.toString(), fields, hostname);
    }

    /** The key's values as the output reads them, captured before the window is emptied. */
    private final class Values implements CorrelationOutput.Values {
        private final Slot s;
        private final long suppressedBefore;
        private final long count;
        private final String sample;

        Values(Slot s, long suppressedBefore) {
            this.s = s;
            this.suppressedBefore = suppressedBefore;
            this.count = c.kind() == Kind.SEQUENCE ? c.stepCount() : s.count;
            this.sample = s.sampleCount == 0 ? null : s.sample.toString();
        }

        @Override public void appendCorr(CorrelationOutput.CorrField f, StringBuilder sb) {
            Object o = corrJson(f);
            sb.append(o == null ? dev.vigil.rules.output.OutputFormat.NA : o);
        }

        @Override public Object corrJson(CorrelationOutput.CorrField f) {
            return switch (f) {
                case COUNT -> count;
                case VALUES -> sample;
                case SUPPRESSED -> suppressedBefore;
                case WINDOW -> Durations.format(c.windowNanos());
            };
        }

        @Override public boolean appendStep(int step, int kept, StringBuilder sb, EventView e) {
            if (step == c.stepCount() - 1) return c.step(step).kept[kept].append(e, sb);
            return s.kept[step][kept].appendTo(sb);
        }

        @Override public Object stepJson(int step, int kept, EventView e) {
            if (step == c.stepCount() - 1) return c.step(step).kept[kept].jsonValue(e);
            return s.kept[step][kept].json();
        }
    }
}

package dev.vigil.containers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Predicate;

/**
 * Cgroup id to {@link Slot}: an open-addressing table with lock-free, allocation-free reads (acquire loads of
 * immutable slots) and writes under a lock. Removal rebuilds the table (the janitor does it, rarely).
 */
final class CgroupTable {
    /** What a cgroup resolves to: the container entry, or null for the host. */
    record Slot(long cgroupId, CachingResolver.Entry entry) {}

    private static final VarHandle AA = MethodHandles.arrayElementVarHandle(Slot[].class);
    private volatile Slot[] slots = new Slot[1024];
    private int size; // guarded by this

    Slot get(long cgroupId) {
        Slot[] t = slots;
        int mask = t.length - 1;
        for (int i = mix(cgroupId) & mask; ; i = (i + 1) & mask) {
            Slot s = (Slot) AA.getAcquire(t, i);
            if (s == null) return null;
            if (s.cgroupId() == cgroupId) return s;
        }
    }

    /** Inserts (or returns the slot already there for this id). */
    synchronized Slot put(Slot slot) {
        Slot have = get(slot.cgroupId());
        if (have != null) return have;
        if ((size + 1) * 2 > slots.length) slots = rebuild(slots, slots.length * 2, s -> true);
        insert(slots, slot);
        size++;
        return slot;
    }

    /** Keeps only the slots the predicate accepts. */
    synchronized void retain(Predicate<Slot> keep) {
        Slot[] t = slots;
        int kept = 0;
        for (Slot s : t) if (s != null && keep.test(s)) kept++;
        if (kept == size) return;
        int cap = 1024;
        while (cap < kept * 2) cap *= 2;
        slots = rebuild(t, cap, keep);
        size = kept;
    }

    synchronized int size() { return size; }

    private static Slot[] rebuild(Slot[] from, int cap, Predicate<Slot> keep) {
        Slot[] t = new Slot[cap];
        for (Slot s : from) if (s != null && keep.test(s)) insert(t, s);
        return t;
    }

    private static void insert(Slot[] t, Slot s) {
        int mask = t.length - 1;
        int i = mix(s.cgroupId()) & mask;
        while (AA.getAcquire(t, i) != null) i = (i + 1) & mask;
        AA.setRelease(t, i, s);
    }

    private static int mix(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
